"""Every URL pattern of the project, with its view, for tests that must cover them all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Patterns that are not ours: Django's admin (its own staff login) and the language switch.
EXEMPT_PREFIXES = ("admin/", "i18n/")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    callback: object

    @property
    def kwargs(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>", self.route)

    @property
    def action(self) -> str | None:
        return getattr(self.callback, "nvos_action", None)

    def url(self, ids: dict[str, int]) -> str:
        def fill(match: re.Match) -> str:
            key = match.group(1)
            if key not in ids:
                raise KeyError(f"No object id for <{key}> in {self.route}: add it to the world fixture")
            return str(ids[key])

        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, self.route)


def _walk(patterns, prefix: str = "") -> Iterator[Route]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield Route(route=route, name=pattern.name, callback=pattern.callback)


def project_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.route.startswith(EXEMPT_PREFIXES)]
