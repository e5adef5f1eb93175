"""Inbound SMS (Africa's Talking's callback): "PASSWORD" to the short code resets it.

Africa's Talking posts a form (`from`, `to`, `text`, `date`, `id`, `linkId`); JSON with
the same fields is accepted too. The answer is the same whatever the number, so the
webhook never reveals whether an account exists. Set CP2HUB_SMS_INBOUND_KEY and
register the callback as `/sms/inbound?key=...` so only the provider can call it.
"""

from __future__ import annotations

import json
import logging
import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from cp2desk.sync.phones import InvalidPhone, normalise_phone
from cp2hub import accounts
from cp2hub.api.answers import problems
from cp2hub.api.deps import DB, AppSettings
from cp2hub.api.gateway import Limiter, Sms
from cp2hub.errors import Forbidden, HubError
from cp2hub.sms import SmsFailed

log = logging.getLogger(__name__)
router = APIRouter(prefix="/sms", tags=["sms"])
MAX_BODY = 16_384
RECEIVED = {"status": "received"}


@router.post("/inbound", responses=problems(403))
async def inbound(
    request: Request, db: DB, settings: AppSettings, sms: Sms, limiter: Limiter, key: str = ""
) -> dict:
    if settings.sms_inbound_key and not secrets.compare_digest(
        key.encode(), settings.sms_inbound_key.encode()
    ):
        raise Forbidden("This address only takes messages from the SMS provider.")
    fields = await _fields(request)
    if _keyword(fields.get("text", "")) != "PASSWORD":
        return RECEIVED
    try:
        number = normalise_phone(fields.get("from", ""))
    except InvalidPhone:
        return RECEIVED
    if not limiter.allow(f"password-sms:{number}", settings.password_sms_per_number_per_hour):
        log.warning("PASSWORD by SMS: too many requests from one number; ignored")
        return RECEIVED

    def reset() -> None:
        with db.write() as session:
            accounts.send_new_password(session, number, sms(session))

    try:
        await run_in_threadpool(reset)
    except SmsFailed as exc:
        log.warning("PASSWORD by SMS: the new password could not be sent: %s", exc.message)
    return RECEIVED


def _keyword(text: str) -> str:
    return text.strip().strip(".!").strip().upper()


async def _fields(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HubError("The message is too long.")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "application/json":
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return {str(k): str(v) for k, v in data.items() if isinstance(v, str | int)}
        text = body.decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise HubError("The message was not understood.") from None
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
