"""Inbound SMS (Africa's Talking's callback): "PASSWORD" to the short code resets it.

Africa's Talking posts a form (`from`, `to`, `text`, `date`, `id`, `linkId`); JSON with
the same fields is accepted too. The answer is the same whatever the number, so the
webhook never reveals whether an account exists.

Only the provider may call it: the route answers as if it did not exist until
CP2HUB_SMS_INBOUND_KEY is set, and then wants that secret as the password of HTTP Basic
credentials (`https://sms:KEY@hub/sms/inbound`), in an `X-Inbound-Key` header, or as
`?key=KEY`. Africa's Talking cannot add headers to its callbacks; the query string is
the form it surely keeps, so no log keeps its values: `cp2hub serve` logs a query's
parameter names only (`cp2hub.logs`), and `redact_access_log` takes the key out of
uvicorn's access log where it is on (Basic credentials and headers are never logged).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import secrets
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from cp2desk.sync.phones import InvalidPhone, masked_phone, normalise_phone
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
KEY_HEADER = "x-inbound-key"


@router.post("/inbound", responses=problems(403, 404))
async def inbound(
    request: Request, db: DB, settings: AppSettings, sms: Sms, limiter: Limiter
) -> dict:
    if not settings.sms_inbound_key:
        raise HTTPException(status_code=404)  # as the router answers a path it does not have
    if not secrets.compare_digest(
        digest(presented_key(request, KEY_HEADER)), digest(settings.sms_inbound_key)
    ):
        log.warning("inbound SMS refused: the caller did not present the inbound key")
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

    def reset() -> bool:
        with db.write() as session:
            return accounts.send_new_password(session, number, sms(session), settings)

    try:
        sent = await run_in_threadpool(reset)
    except SmsFailed as exc:
        log.warning("PASSWORD by SMS: the new password could not be sent: %s", exc.message)
        return RECEIVED
    what = "a new password was sent" if sent else "the number has no account"
    log.info(
        "PASSWORD by SMS: %s",
        what,
        extra={"event": "password_reset", "phone": masked_phone(number), "sent": sent},
    )
    return RECEIVED


def digest(key: str) -> bytes:
    """Compared as digests, so the time taken does not reveal the key's length either."""
    return hashlib.sha256(key.encode()).digest()


def presented_key(request: Request, header: str) -> str:
    """The secret a provider's callback presents: Basic credentials' password, the
    `header`, or ?key= (the payments' callback takes its key the same way)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return request.headers.get(header) or request.query_params.get("key", "")


class _RedactKey(logging.Filter):
    """Replaces the value of a `key` query parameter in uvicorn's access log lines."""

    pattern = re.compile(r"([?&]key=)[^&\s]*", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.pattern.sub(r"\1[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


_REDACT_KEY = _RedactKey()


def redact_access_log() -> None:
    """Keep the inbound key out of uvicorn's access log (once per process)."""
    logging.getLogger("uvicorn.access").addFilter(_REDACT_KEY)


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
