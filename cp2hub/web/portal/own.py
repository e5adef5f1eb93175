"""Who may open the portal's pages: a signed-in contracted professional, about themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from cp2hub.auth import Principal
from cp2hub.web.errors import PageForbidden
from cp2hub.web.visitors import requires_role

NO_PROFILE = (
    "These pages are for contracted professionals, and this account has no CP2 profile. "
    "Sign in with the mobile number you registered as a professional."
)
_holder = requires_role("professional", refusal=NO_PROFILE)


def professional(principal: Annotated[Principal, Depends(_holder)]) -> Principal:
    """The signed-in professional, with their profile's id (every page reads by it)."""
    if not principal.professional_id:
        raise PageForbidden(NO_PROFILE)
    return principal


Own = Annotated[Principal, Depends(professional)]
