"""Decode Stripe's bracketed form encoding (``items[0][price]=...``) into nested values."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .errors import StripeError

Params = dict[str, Any]


def parse_form(encoded: str) -> Params:
    """Turn ``a[b][0][c]=x&expand[]=y`` into ``{"a": {"b": [{"c": "x"}]}, "expand": ["y"]}``."""
    root: Params = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        tokens = _split_key(key)
        node = root
        for token in tokens[:-1]:
            slot = _index_for(node, token)
            child = node.get(slot)
            if not isinstance(child, dict):
                child = {}
                node[slot] = child
            node = child
        node[_index_for(node, tokens[-1])] = value
    parsed: Params = _listify(root)
    return parsed


def _split_key(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    tokens = [head]
    if rest:
        tokens.extend(rest.rstrip("]").split("]["))
    return tokens


def _index_for(node: Params, token: str) -> str:
    # `expand[]=a&expand[]=b` appends: give each empty index the next free position.
    return str(len(node)) if token == "" else token


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {key: _listify(child) for key, child in value.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def as_int(params: Params, name: str, default: int | None = None) -> int | None:
    """Read an integer parameter, answering Stripe's invalid_request_error when malformed."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise StripeError.invalid(f"Invalid integer: {raw}", param=name) from None


def as_bool(params: Params, name: str, default: bool = False) -> bool:
    """Read a boolean parameter encoded as ``true``/``false``."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if raw in ("true", "false"):
        return bool(raw == "true")
    raise StripeError.invalid(f"Invalid boolean: {raw}", param=name)


def as_list(params: Params, name: str) -> list[Any]:
    """Read a list parameter (``name[0]=...``), treating a missing one as empty."""
    raw = params.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, list):
        return raw
    raise StripeError.invalid(f"Invalid array: {name}", param=name)


def as_dict(params: Params, name: str) -> Params:
    """Read a hash parameter (``name[key]=...``), treating a missing one as empty."""
    raw = params.get(name)
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):
        return raw
    raise StripeError.invalid(f"Invalid hash: {name}", param=name)


def check_known(params: Params, allowed: frozenset[str]) -> None:
    """Reject parameters the emulator does not model, as Stripe rejects unknown ones."""
    for name in params:
        if name not in allowed:
            raise StripeError.invalid(
                f"Received unknown parameter: {name} (the emulator does not model it)",
                param=name,
            )
