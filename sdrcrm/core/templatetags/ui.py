"""Small pieces of markup that pages repeat often enough for the template engine's loops to show."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def options(choices, selected=""):
    """The <option>s of a select: `choices` as (value, label) pairs, the one equal to `selected` marked."""
    selected = str(selected)
    parts = []
    for value, label in choices:
        value = str(value)
        marker = " selected" if value == selected else ""
        parts.append(f'<option value="{escape(value)}"{marker}>{escape(str(label))}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above
