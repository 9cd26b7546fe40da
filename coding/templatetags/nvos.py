"""Small template helpers used across pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def startswith(value: str, prefix: str) -> bool:
    return str(value).startswith(str(prefix))


@register.filter
def get_item(mapping, key):
    """dict lookup with a variable key: {{ counts|get_item:team.pk }}."""
    if mapping is None:
        return None
    return mapping.get(key)
