"""E-mail addresses as the platform compares them."""

from __future__ import annotations


def normalize_email(email: str) -> str:
    """The form used for uniqueness and look-ups: trimmed, lower-case."""
    return email.strip().lower()
