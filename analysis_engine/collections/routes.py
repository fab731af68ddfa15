"""HTTP routes of collections (/api/collections*)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["collections"])
