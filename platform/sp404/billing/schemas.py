"""Request bodies of the billing routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Plans are data (GET /api/billing/plans lists them), so an unknown id is a 404, not a 422.
    plan_id: str = Field(
        min_length=1, max_length=40, description="the id of a plan from GET /api/billing/plans"
    )
