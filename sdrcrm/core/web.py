"""Helpers for the htmx pages: full page or partial, domain errors onto forms."""

from django.shortcuts import render

from sdrcrm.core.errors import DomainError


def render_page(request, template: str, context: dict, *, partial: str | None = None, status: int = 200):
    """The whole page, or only `partial` of it when htmx asks (swap target id = partial name)."""
    if partial and request.htmx and not request.htmx.boosted:
        return render(request, f"{template}#{partial}", context, status=status)
    return render(request, template, context, status=status)


def add_domain_error(form, error: DomainError) -> None:
    """Puts a service's refusal onto the form field it names, or onto the form as a whole."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
    for other, messages in error.extra.items():  # more fields at fault, named beside the first
        if other in form.fields and isinstance(messages, list):
            for message in messages:
                form.add_error(other, message)
