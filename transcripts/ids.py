"""Ids from request data: digits only and within the database's 64-bit range.

Out-of-range numbers make SQLite raise OverflowError (a 500) in filters, so every id a
client sends goes through here before it reaches a query.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2**63 - 1


def int_id(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def int_ids(values: Iterable[object]) -> list[int]:
    """The valid ids among `values`, in order, without repeats."""
    return list(dict.fromkeys(i for i in (int_id(v) for v in values) if i is not None))
