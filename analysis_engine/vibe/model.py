"""The vibe of one sample: what a model (or the local rules) says about how it sounds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

# The column default in app.user_preferences.selected_model.
DEFAULT_MODEL = "qwen/qwen3-7b-it"
# Stored in vibe_analyses.model for rule-based descriptions; bump when the rules change.
LOCAL_MODEL = "local-rules-v1"

MAX_DESCRIPTION_CHARS = 300
MAX_MOODS = 6
MAX_DESCRIPTORS = 8
MAX_COMPATIBILITY_TAGS = 8
MAX_LABEL_CHARS = 40
MAX_BEST_USE_CHARS = 120

Source = Literal["openrouter", "local"]


@dataclass(frozen=True, slots=True)
class VibeResult:
    """One description, shaped like a row of app.vibe_analyses; limits are checked on build."""

    model: str
    description: str
    moods: tuple[str, ...]
    era: str | None
    genre: str | None
    energy: float
    descriptors: tuple[str, ...]
    compatibility_tags: tuple[str, ...]
    best_use: str | None
    tokens_used: int | None
    cost_usd: Decimal | None
    source: Source

    def __post_init__(self) -> None:
        # Both producers clamp and truncate; a violation here is a bug, not bad model output.
        if not self.model:
            raise ValueError("model must be named")
        if not self.description or len(self.description) > MAX_DESCRIPTION_CHARS:
            raise ValueError(f"description must hold 1..{MAX_DESCRIPTION_CHARS} characters")
        for name, limit in (
            ("moods", MAX_MOODS),
            ("descriptors", MAX_DESCRIPTORS),
            ("compatibility_tags", MAX_COMPATIBILITY_TAGS),
        ):
            if len(getattr(self, name)) > limit:
                raise ValueError(f"{name} holds at most {limit} entries")
        if not (math.isfinite(self.energy) and 0.0 <= self.energy <= 1.0):
            raise ValueError("energy must lie in 0..1")
        if self.tokens_used is not None and self.tokens_used < 0:
            raise ValueError("tokens_used must not be negative")
        if self.cost_usd is not None and self.cost_usd < 0:
            raise ValueError("cost_usd must not be negative")
        if self.source not in ("openrouter", "local"):
            raise ValueError(f"unknown source {self.source!r}")
