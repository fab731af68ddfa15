"""What a response shows: ``expand[]`` of ids into objects, and paginated list objects."""

from __future__ import annotations

import copy
from typing import Any

from .errors import StripeError
from .forms import Params, as_int, as_list
from .spec import complete_all
from .state import EmulatorState, StripeObject


def render(state: EmulatorState, obj: StripeObject, params: Params) -> StripeObject:
    """Return a copy of ``obj`` with every ``expand`` path replaced by the object it names."""
    shown = copy.deepcopy(obj)
    for path in as_list(params, "expand"):
        _expand(state, shown, str(path).split("."), str(path))
    return complete_all(shown)


def _expand(state: EmulatorState, node: Any, path: list[str], full: str) -> None:
    if not path:
        return
    head, rest = path[0], path[1:]
    if node.get("object") == "list" and head == "data":
        for element in node["data"]:
            _expand(state, element, rest, full)
        return
    if head not in node:
        raise StripeError.invalid(f"This property cannot be expanded ({full}).", param="expand")
    value = node[head]
    if isinstance(value, str):
        target = state.objects.get(value)
        if target is None:
            raise StripeError.invalid(f"This property cannot be expanded ({full}).", param="expand")
        value = node[head] = copy.deepcopy(target)
    if isinstance(value, dict):
        _expand(state, value, rest, full)


def list_object(
    state: EmulatorState, objects: list[StripeObject], params: Params, url: str
) -> StripeObject:
    """Page newest-first ``objects`` with ``limit``/``starting_after``/``ending_before``."""
    limit = as_int(params, "limit", 10) or 10
    if not 1 <= limit <= 100:
        raise StripeError.invalid("Invalid limit: must be between 1 and 100", param="limit")
    ids = [obj["id"] for obj in objects]
    start, stop = 0, len(objects)
    for cursor_name in ("starting_after", "ending_before"):
        cursor = params.get(cursor_name)
        if cursor and cursor not in ids:
            raise StripeError.missing("object", str(cursor), param=cursor_name)
    if params.get("starting_after"):
        start = ids.index(params["starting_after"]) + 1
    if params.get("ending_before"):
        stop = ids.index(params["ending_before"])
        start = max(start, stop - limit)
    page = objects[start:stop][:limit]
    listing: StripeObject = {
        "object": "list",
        "data": page,
        "has_more": start + len(page) < stop,
        "url": url,
    }
    return render(state, listing, params)
