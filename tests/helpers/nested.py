"""Walking nested data (JSON answers, YAML dashboards): every mapping, at any depth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def mappings(data: Any) -> Iterator[dict[str, Any]]:
    """Every dict in ``data``, parents before their children, in document order."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from mappings(value)
    elif isinstance(data, list):
        for item in data:
            yield from mappings(item)
