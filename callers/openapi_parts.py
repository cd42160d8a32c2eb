"""Small pieces every part of the OpenAPI document builds with."""

from __future__ import annotations

from typing import Any


def ref(kind: str, name: str) -> dict[str, str]:
    """A `$ref` to a component: `ref("schemas", "Booking")`."""
    return {"$ref": f"#/components/{kind}/{name}"}


def ok(description: str, schema: str) -> dict[str, Any]:
    """A JSON response whose body is the named schema."""
    return {"description": description, "content": {"application/json": {"schema": ref("schemas", schema)}}}  # fmt: skip
