"""Small pieces of markup that pages repeat often enough for the template engine's loops to show."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def options(choices, selected=""):
    """The <option>s of a select: `choices` as (value, label) pairs, the one equal to `selected` marked."""
    selected = "" if selected is None else str(selected)
    parts = []
    for value, label in choices:
        value = str(value)
        marker = " selected" if value == selected else ""
        parts.append(
            f'<option value="{conditional_escape(value)}"{marker}>{conditional_escape(label)}</option>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
