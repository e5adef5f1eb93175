"""Who may open the console: a signed-in KNEC administrator; and how its forms answer.

A refusal of the hub's rules (maker-checker, a batch in the wrong state, a station of
the wrong kind) comes back to the page it was asked from, said in the flash message,
so the administrator sees it where they acted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response

from cp2hub.auth import Principal
from cp2hub.errors import HubError
from cp2hub.payments.audit import Actor
from cp2hub.web.pages import redirect
from cp2hub.web.visitors import requires_role

REFUSAL = "The back office is for KNEC administrators only."
Admin = Annotated[Principal, Depends(requires_role("admin", refusal=REFUSAL))]


def actor(principal: Principal) -> Actor:
    return Actor.of(principal)


def act(
    request: Request, back: str, done: Callable[[], Any], said: Callable[[Any], str]
) -> Response:
    """Do `done()`; back to `back` saying `said(result)`, or why the hub refused."""
    try:
        result = done()
    except HubError as refused:
        return redirect(request, back, f"Not done: {refused.message}")
    return redirect(request, back, said(result))
