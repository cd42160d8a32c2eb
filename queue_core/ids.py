"""Ids derived from natural keys with uuid5, so a hall or a hall's day is found, not looked up."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

HALLQ_NAMESPACE = uuid5(NAMESPACE_URL, "https://hallq.invalid/")


def hall_day_id(hall_id: str, day: str) -> UUID:
    """The id of a hall's day, from the hall id and the ISO date (YYYY-MM-DD)."""
    return uuid5(HALLQ_NAMESPACE, f"hall-day/{hall_id}/{day}")


def hall_config_id(hall_id: str) -> UUID:
    return uuid5(HALLQ_NAMESPACE, f"hall/{hall_id}")
