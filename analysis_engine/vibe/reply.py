"""Reading a model's answer defensively: find the JSON, coerce what can be saved, cap lengths.

Models wrap JSON in ```json fences, add keys, send "0.8" for 0.8, a comma-separated string for a
list, an energy of 1.7, or ten moods. Everything salvageable is salvaged; only a reply with no
JSON object or no description at all counts as malformed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from analysis_engine.vibe.model import (
    MAX_BEST_USE_CHARS,
    MAX_COMPATIBILITY_TAGS,
    MAX_DESCRIPTION_CHARS,
    MAX_DESCRIPTORS,
    MAX_LABEL_CHARS,
    MAX_MOODS,
)

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LIST_SPLIT = re.compile(r"[,;\n]")
_NOT_A_LABEL = {"", "none", "null", "n/a", "na", "unknown", "unsure", "-", "various"}
_ENERGY_WORDS = {"low": 0.2, "medium": 0.5, "moderate": 0.5, "mid": 0.5, "high": 0.8}
_WORD_CHARS = 32
_COST_QUANTUM = Decimal("0.000001")  # numeric(10, 6) in app.vibe_analyses.cost_usd


def clip_text(text: str, limit: int) -> str:
    """Collapse whitespace and cut at a word boundary so the result fits `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-") + "…"


def _description(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # pydantic rejects it: no description means no usable reply
    text = " ".join(value.split())
    # One or two sentences, as the prompt asked.
    text = " ".join(_SENTENCE_END.split(text)[:2])
    return clip_text(text, MAX_DESCRIPTION_CHARS)


def _label(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        return None
    text = clip_text(value.strip().strip(".").lower(), MAX_LABEL_CHARS)
    return None if text in _NOT_A_LABEL else text


def _phrase(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = clip_text(value.strip(), MAX_BEST_USE_CHARS)
    return None if text.lower() in _NOT_A_LABEL else text


def _words(limit: int, *, slug: bool = False) -> BeforeValidator:
    def coerce(value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            items: list[Any] = _LIST_SPLIT.split(value)
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            return ()
        seen: dict[str, None] = {}
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                continue
            word = " ".join(str(item).split()).strip(".").lower()
            if slug:
                word = word.replace(" ", "-")
            word = word[:_WORD_CHARS].strip()
            if word and word not in _NOT_A_LABEL:
                seen.setdefault(word, None)
        return tuple(seen)[:limit]

    return BeforeValidator(coerce)


def _unit(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _ENERGY_WORDS:
            return _ENERGY_WORDS[word]
        try:
            value = float(word)
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return min(1.0, max(0.0, float(value)))


class VibeReply(BaseModel):
    """The JSON object the prompt asks for, after lenient coercion."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    description: Annotated[str, BeforeValidator(_description), Field(min_length=1)]
    moods: Annotated[tuple[str, ...], _words(MAX_MOODS)] = ()
    era: Annotated[str | None, BeforeValidator(_label)] = None
    genre: Annotated[str | None, BeforeValidator(_label)] = None
    # None when the model gave nothing usable; the caller fills in the measured estimate.
    energy: Annotated[float | None, BeforeValidator(_unit)] = None
    descriptors: Annotated[tuple[str, ...], _words(MAX_DESCRIPTORS)] = ()
    compatibility_tags: Annotated[tuple[str, ...], _words(MAX_COMPATIBILITY_TAGS, slug=True)] = ()
    best_use: Annotated[str | None, BeforeValidator(_phrase)] = None


def parse_reply(content: str) -> VibeReply | None:
    """The description in a model's answer, or None when it holds no usable JSON object."""
    data = _json_object(content)
    if data is None:
        return None
    try:
        return VibeReply.model_validate(data)
    except ValidationError:
        return None


def _json_object(content: str) -> dict[str, Any] | None:
    text = content.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True, slots=True)
class Usage:
    """What one or more completions cost; None where the provider did not say."""

    tokens: int | None = None
    cost_usd: Decimal | None = None

    def __add__(self, other: Usage) -> Usage:
        return Usage(_sum(self.tokens, other.tokens), _sum(self.cost_usd, other.cost_usd))


def parse_usage(envelope: dict[str, Any]) -> Usage:
    """Tokens and cost from a completion's `usage`; cost only when OpenRouter sent it."""
    usage = envelope.get("usage")
    if not isinstance(usage, dict):
        return Usage()
    total = _count(usage.get("total_tokens"))
    if total is None:
        parts = [_count(usage.get(k)) for k in ("prompt_tokens", "completion_tokens")]
        known = [p for p in parts if p is not None]
        total = sum(known) if known else None
    return Usage(total, _money(usage.get("cost")))


def _count(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _money(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        cost = Decimal(str(value))
    except InvalidOperation:
        return None
    if not cost.is_finite() or cost < 0:
        return None
    return cost.quantize(_COST_QUANTUM)


T = TypeVar("T", int, Decimal)


def _sum(a: T | None, b: T | None) -> T | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b
