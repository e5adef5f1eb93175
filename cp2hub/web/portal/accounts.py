"""Create an account, Forgot password and Change password, in KNEC's words.

The same functions as the app's (`cp2hub.accounts`): the number typed twice, the limits
per network and per number, the login details by SMS; a number already registered is
told to send PASSWORD to the short code, and so is anyone who forgot their password.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from cp2desk.sync.portal import MIN_PASSWORD_LENGTH
from cp2hub import accounts
from cp2hub.api.gateway import client_ip, get_limiter, get_sms
from cp2hub.errors import HubError
from cp2hub.web.forms import Form
from cp2hub.web.pages import redirect, render, web_router
from cp2hub.web.portal.own import Own
from cp2hub.web.visitors import VisitorDep

router = web_router()


@router.get("/register")
def register_page(request: Request) -> Response:
    return render(request, "portal/register.html", form={}, error=None, sent=None)


@router.post("/register")
def register(request: Request, visitor: VisitorDep, form: Form) -> Response:
    settings = visitor.settings
    try:
        message = accounts.create_account(
            visitor.db,
            settings,
            get_sms(request, settings),
            get_limiter(request),
            client_ip(request),
            form["phone"],
            form["phone_again"],
        )
    except HubError as exc:
        return render(
            request,
            "portal/register.html",
            status=exc.status,
            form=form.as_dict(),
            error=exc.message,
            sent=None,
        )
    return render(request, "portal/register.html", form={}, error=None, sent=message)


@router.get("/forgot-password")
def forgot_password(request: Request, visitor: VisitorDep) -> Response:
    return render(
        request, "portal/forgot_password.html", short_code=visitor.settings.sms_short_code
    )


@router.get("/password")
def password_page(request: Request, principal: Own) -> Response:
    return render(
        request,
        "portal/password.html",
        section="password",
        errors={},
        error=None,
        least=MIN_PASSWORD_LENGTH,
    )


@router.post("/password")
def change_password(request: Request, principal: Own, visitor: VisitorDep, form: Form) -> Response:
    new, again = form.raw("new_password"), form.raw("new_password_again")
    errors = {}
    if new != again:
        errors["new_password_again"] = "The two new passwords are not the same."
    else:
        try:
            message = accounts.change_own_password(
                visitor.db,
                principal,
                form.raw("old_password"),
                new,
                visitor.settings,
                keep_web_session=visitor.visit.id_hash,
            )
        except HubError as exc:
            field = "new_password" if exc.code == "weak_password" else "old_password"
            errors[field] = exc.message
    if errors:
        return render(
            request,
            "portal/password.html",
            status=400,
            section="password",
            errors=errors,
            error=None,
            least=MIN_PASSWORD_LENGTH,
        )
    return redirect(request, "/", flash=message)
