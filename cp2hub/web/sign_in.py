"""Sign in and Log out on the web pages, for every role.

Sign-in checks the password with the hub's own check (`auth.signed_in_user`: the same
Argon2 verification, the same lockout after `Settings.max_failed_logins` wrong
passwords, the same answer whether or not the number has an account) and then begins a
new session in place of the visitor's. Where a visitor lands after it: the page they
were sent from (`next`, a path on this hub only), else their role's home (`HOMES`).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from cp2desk.sync.phones import InvalidPhone, masked_phone
from cp2hub import auth
from cp2hub.auth import Principal
from cp2hub.errors import HubError
from cp2hub.web.forms import Form
from cp2hub.web.pages import redirect, render, web_router
from cp2hub.web.visitors import VisitorDep

log = logging.getLogger(__name__)
router = web_router()
HOMES: dict[str, str] = {}
"""Where each role lands after sign-in (e.g. the back office for `admin`); the first of a
visitor's roles found here wins, else `DEFAULT_HOME`. The web packages add their own."""
DEFAULT_HOME = "/"


def home_of(principal: Principal | None) -> str:
    if principal is not None:
        for grant in principal.grants:
            if grant.role in HOMES:
                return HOMES[grant.role]
    return DEFAULT_HOME


def local_path(target: str) -> str | None:
    """`target` if it is a path on this hub (never another site: no scheme, no host, no
    `//` or backslash trick), else None."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@router.get("/sign-in")
def sign_in_page(request: Request, visitor: VisitorDep, next: str = "", out: str = "") -> Response:
    if visitor.principal is not None:
        return redirect(request, local_path(next) or home_of(visitor.principal))
    notice = "You have logged out." if out else None
    return render(request, "sign_in.html", next=local_path(next) or "", notice=notice, form={})


@router.post("/sign-in")
def sign_in(request: Request, visitor: VisitorDep, form: Form) -> Response:
    phone, password = form["phone"], form.raw("password")
    target = local_path(form["next"]) or ""
    failure: str | None = None
    status = 400
    user_id = None
    if not phone or not password:
        failure = "Enter your mobile number and your password."
    else:
        try:
            user_id = auth.signed_in_user(visitor.db, phone, password, visitor.settings)
        except InvalidPhone as exc:
            failure = str(exc)
        except HubError as exc:
            failure, status = exc.message, exc.status
            log.warning(
                "sign-in refused: %s",
                exc.code,
                extra={
                    "event": "sign_in_refused",
                    "code": exc.code,
                    "device_id": "web",
                    "phone": masked_phone(phone),
                },
            )
    if failure is not None:
        return render(
            request,
            "sign_in.html",
            status=status,
            error=failure,
            next=target,
            notice=None,
            form={"phone": phone},
        )
    visitor.sign_in(user_id)
    log.info("signed in", extra={"event": "sign_in", "user_id": user_id, "device_id": "web"})
    return redirect(request, target or home_of(visitor.principal))


@router.post("/sign-out")
def sign_out(request: Request, visitor: VisitorDep) -> Response:
    """Log out: the session ends on the hub, not only in this browser."""
    visitor.sign_out()
    return redirect(request, "/sign-in?out=1")
