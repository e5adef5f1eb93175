"""The HTTP client of the hub: one requests.Session, timeouts, gzip, typed errors.

Every failure becomes a `SyncError` subclass with a message for the user; nothing
from requests or JSON decoding escapes this module.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests
from pydantic import ValidationError

from cp2desk import __version__
from cp2desk.sync import errors, portal
from cp2desk.sync.protocol import (
    APP_VERSION_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    REQUEST_ID_HEADER,
    Change,
    LiveAnswer,
    LoginRequest,
    PullPage,
    PushRequest,
    PushResponse,
    RefreshRequest,
    TokenPair,
)

DEFAULT_TIMEOUT = (5.0, 60.0)  # connect, read
LIVE_TIMEOUT = (5.0, 75.0)  # the hub holds a live request up to 50 s (nginx: 90 s)
BY_CODE = {**errors.BY_CODE, **portal.ERRORS}


class HubClient:
    """Talks to one hub. Refreshes an expired access token once, transparently."""

    def __init__(
        self,
        base_url: str,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        on_tokens: Callable[[TokenPair], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers.update(
            {
                PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                APP_VERSION_HEADER: __version__,
                "User-Agent": f"CP2Desk/{__version__}",
                "Accept-Encoding": "gzip",
            }
        )
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.device_id: str | None = None
        self.on_tokens = on_tokens
        self._live_http: requests.Session | None = None

    # --- auth ---------------------------------------------------------------------

    def login(self, phone: str, password: str, device_id: str, device_name: str = "") -> TokenPair:
        body = LoginRequest(
            phone=phone, password=password, device_id=device_id, device_name=device_name
        )
        pair = TokenPair.model_validate(self._call("POST", "/auth/login", body.model_dump(), False))
        self._take(pair)
        return pair

    def refresh(self) -> TokenPair:
        if not (self.refresh_token and self.device_id):
            raise errors.SessionExpired("Please sign in again to sync.")
        body = RefreshRequest(refresh_token=self.refresh_token, device_id=self.device_id)
        data = self._call("POST", "/auth/refresh", body.model_dump(), False)
        pair = TokenPair.model_validate(data)
        self._take(pair)
        return pair

    def logout(self) -> None:
        try:
            self._call("POST", "/auth/logout", None, True)
        finally:
            self.access_token = self.refresh_token = None

    # --- sync ---------------------------------------------------------------------

    def push(self, changes: list[Change], history_id: str = "") -> PushResponse:
        body = PushRequest(changes=changes, history_id=history_id).model_dump()
        data = self._call("POST", "/sync/push", body, True)
        return self._parse(PushResponse, data)

    def pull(
        self,
        cursor: int,
        scope_key: str = "",
        limit: int | None = None,
        from_day: dt.date | None = None,
    ) -> PullPage:
        """A page after `cursor`; with `from_day`, of the first screens' pass (no attendance
        of sessions before that day)."""
        params: dict[str, Any] = {"cursor": cursor, "scope_key": scope_key}
        if limit:
            params["limit"] = limit
        if from_day is not None:
            params["from_day"] = from_day.isoformat()
        content = self._call("GET", "/sync/pull", None, True, params, raw=True)
        return self._parse_json(PullPage, content)

    def live(self, after: int) -> LiveAnswer:
        """Held by the hub until something in this device's scope is written after
        `after` (the pull cursor), or for about 50 s. On a connection of its own, so a
        sync can run beside it."""
        if self._live_http is None:
            self._live_http = requests.Session()
            self._live_http.headers.update(self.http.headers)
        data = self._call(
            "GET", "/sync/live", None, True, {"after": after}, via=self._live_http,
            timeout=LIVE_TIMEOUT,
        )  # fmt: skip
        return self._parse(LiveAnswer, data)

    def close_live(self) -> None:
        """Cut a held live request (from another thread): it fails as unreachable."""
        if self._live_http is not None:
            self._live_http.close()

    def health(self) -> dict:
        return self._call("GET", "/health", None, False)

    # --- the portal: accounts, vacancies, applications (online only) ----------------

    def register(self, phone: str, phone_again: str) -> portal.Notice:
        body = portal.RegisterRequest(phone=phone, phone_again=phone_again).model_dump()
        return self._parse(portal.Notice, self._call("POST", "/accounts/register", body, False))

    def change_password(self, old_password: str, new_password: str) -> portal.Notice:
        body = portal.PasswordChange(old_password=old_password, new_password=new_password)
        data = self._call("POST", "/accounts/password", body.model_dump(), True)
        return self._parse(portal.Notice, data)

    def vacancy_filters(self) -> portal.VacancyFilters:
        data = self._call("GET", "/vacancies/filters", None, True)
        return self._parse(portal.VacancyFilters, data)

    def search_vacancies(self, **filters: str) -> portal.VacancySearch:
        params = {k: v for k, v in filters.items() if v}
        return self._parse(
            portal.VacancySearch, self._call("GET", "/vacancies", None, True, params)
        )

    def apply_for(self, vacancy_id: str, confirm: bool) -> portal.ApplicationAnswer:
        body = portal.ApplyRequest(confirm=confirm).model_dump()
        data = self._call("POST", f"/vacancies/{quote(vacancy_id)}/apply", body, True)
        return self._parse(portal.ApplicationAnswer, data)

    def withdraw_application(self, application_id: str) -> portal.ApplicationAnswer:
        path = f"/applications/{quote(application_id)}/withdraw"
        return self._parse(portal.ApplicationAnswer, self._call("POST", path, None, True))

    # --- plumbing -----------------------------------------------------------------

    def _take(self, pair: TokenPair) -> None:
        self.access_token, self.refresh_token = pair.access_token, pair.refresh_token
        self.device_id = pair.device_id
        if self.on_tokens:
            self.on_tokens(pair)

    def _call(
        self, method, path, body, authed, params=None, retried=False, raw=False, via=None,
        timeout=None,
    ) -> Any:  # fmt: skip
        """The answer's JSON, or with `raw` its body as it came (for a caller that parses
        it straight into its model); every failure as a `SyncError`."""
        headers = {}
        if authed:
            if not self.access_token:
                self.refresh()
            headers["Authorization"] = f"Bearer {self.access_token}"
        try:
            response = (via or self.http).request(
                method,
                self.base_url + path,
                json=body,
                params=params,
                headers=headers,
                timeout=timeout or self.timeout,
            )
            content = response.content  # read it all now: a cut body fails here
        except requests.Timeout as exc:
            raise errors.HubUnreachable("The hub did not answer in time. Try again.") from exc
        except requests.RequestException as exc:
            raise errors.HubUnreachable(
                "Cannot reach the hub. Check the network; your work is kept on this computer."
            ) from exc
        request_id = response.headers.get(REQUEST_ID_HEADER) or None
        if response.status_code == 503 and "Retry-After" in response.headers:
            raise errors.HubBusy(
                "The hub is busy. Try again in a moment.",
                request_id,
                _seconds(response.headers["Retry-After"]),
            )
        if response.status_code >= 500:
            raise errors.HubFailed(
                f"The hub had a problem (error {response.status_code}). Try again later.",
                request_id,
            )
        if raw and response.status_code < 400:
            return content
        data = _json(content)
        if response.status_code >= 400:
            problem = data if isinstance(data, dict) else {}
            code, message = problem.get("code", ""), problem.get("message", "")
            if code == "unauthenticated" and authed and not retried and self.refresh_token:
                self.access_token = None
                return self._call(method, path, body, authed, params, True, raw, via, timeout)
            kind = BY_CODE.get(code, errors.RequestRefused)
            refused = message or f"The hub refused the request (error {response.status_code})."
            raise kind(refused, request_id)
        return data

    @staticmethod
    def _parse(model, data):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise errors.CorruptResponse("The hub's answer was not understood.") from exc

    @staticmethod
    def _parse_json(model, content: bytes):
        """Parse and check a body in one pass (pydantic's own JSON parser): for pull pages,
        twice as fast as `json.loads` and then checking the objects it made."""
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                raise errors.CorruptResponse("The hub's answer was damaged. Try again.") from exc
            raise errors.CorruptResponse("The hub's answer was not understood.") from exc


def _json(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError as exc:
        raise errors.CorruptResponse("The hub's answer was damaged. Try again.") from exc


def _seconds(retry_after: str) -> float:
    """Retry-After in seconds, between 1 s and 5 min (this hub sends seconds; a date, or
    a proxy's 0 or "inf", is no reason to hammer the hub or to wait for ever)."""
    try:
        value = float(retry_after)
    except ValueError:
        return 60.0
    return min(max(value, 1.0), 300.0) if math.isfinite(value) else 60.0
