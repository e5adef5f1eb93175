"""Errors the hub answers with: an HTTP status, a code for programs, a message for people."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


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


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> JSONResponse:
        return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        message = f"The request was not understood: {first.get('msg', 'invalid')} at {where}."
        return JSONResponse({"code": "invalid_request", "message": message}, status_code=422)
