from django import template

from core.people import display_name

register = template.Library()


@register.filter
def person(user: object) -> str:
    """{{ assessment.overridden_by|person }}: the full name, else the username."""
    return display_name(user)
