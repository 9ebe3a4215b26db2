"""`{% load metrics_tags %}{% my_numbers %}`: the signed-in rep's own numbers, for their home page."""

from django import template

from metrics.personal import my_numbers as personal_numbers

register = template.Library()


@register.inclusion_tag("metrics/partials/my-numbers.html", takes_context=True)
def my_numbers(context):
    user = context["request"].user
    return {"me": personal_numbers(user=user) if user.is_authenticated else None}
