"""Errors the hub answers with: an HTTP status, a code for programs, a message for people."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException


class HubError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(HubError):
    status = 401
    code = "unauthenticated"


class WrongPassword(HubError):
    status = 401
    code = "wrong_password"


class AccountLocked(HubError):
    status = 423
    code = "account_locked"


class DeviceRevoked(HubError):
    status = 401
    code = "device_revoked"


class Forbidden(HubError):
    status = 403
    code = "forbidden"


class UpdateRequired(HubError):
    status = 426
    code = "update_required"


def problem(status: int, code: str, message: str, headers=None) -> JSONResponse:
    """The body of every error answer (`cp2desk.sync.protocol.ProblemDetail`)."""
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


def install_handlers(app: FastAPI) -> None:
    """Every error the hub or its framework answers with gets the same `{code, message}`
    body: the hub's own errors, bodies it cannot parse, unknown addresses, wrong methods,
    and its own failures (500)."""

    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> JSONResponse:
        return problem(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            return problem(
                422, "invalid_request", "The request was not understood: its body is not JSON."
            )
        if tuple(first.get("loc", ())) == ("body",):
            return problem(
                422,
                "invalid_request",
                "The request was not understood: its body must be a JSON object, sent as "
                "application/json.",
            )
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"The request was not understood: {first.get('msg', 'invalid')} at {where}."
        return problem(422, "invalid_request", message)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        return problem(exc.status_code, *_framework_problem(request, exc), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _failed(_request: Request, _exc: Exception) -> JSONResponse:
        return problem(500, "server_error", "The hub had a problem. Try again later.")


def _framework_problem(request: Request, exc: HTTPException) -> tuple[str, str]:
    status = exc.status_code
    code = HTTP_CODES.get(status, f"http_{status}")
    if status == 404:
        return code, f"There is nothing at {request.url.path} on this hub."
    if status == 405:
        return code, f"{request.url.path} does not take {request.method} requests."
    if status == 400:
        return code, "The request's body could not be read."
    return code, str(exc.detail)
