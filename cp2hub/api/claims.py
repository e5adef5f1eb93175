"""KNEC administrators compute a series' claims from the attendance synced so far."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, CurrentUser, check_protocol
from cp2hub.claims import ClaimSummary, compute_claims
from cp2hub.errors import Forbidden

router = APIRouter(
    prefix="/admin/claims",
    tags=["claims"],
    dependencies=[Depends(check_protocol)],
    responses=problems(403),
)


@router.post("/{series_code}/compute", responses=problems(404))
def compute(series_code: str, principal: CurrentUser, db: DB) -> ClaimSummary:
    """Recompute every claim of the series; devices receive the changed ones at their next sync."""
    if not principal.has("admin"):
        raise Forbidden("Only a KNEC administrator can compute claims.")
    return compute_claims(db, series_code)
