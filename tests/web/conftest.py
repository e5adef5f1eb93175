"""Fixtures for the hub's web pages (the portal, the back office).

- `web_hub`: a hub served on loopback over a demo world (the `small` seed: every role's
  demo account, password `DEMO_PASSWORD`), in demo mode so the SMS outbox keeps the
  passwords it sends; on SQLite, and on PostgreSQL when CI provides one. One a module.
- `web`: an httpx client of that hub that keeps its cookies, with `csrf(path)` to read
  a page's token, for the fast tests of sessions and forms.
- `page`: pytest-playwright's page, in Debian's Chromium (`CHROMIUM`; Playwright's own
  browser download is not available here) at a phone's size (`PHONE`, 360×740).
- `sign_in(page, phone, password)`: signs the page in through the sign-in form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest

from cp2hub.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from cp2hub.settings import Settings
from tests.sync.conftest import BACKENDS, HubServer, migrated_database

CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "PHONE", "WebClient"]


ON_SQLITE = pytest.mark.parametrize("web_hub", ["sqlite"], indirect=True)
"""For a browser test whose subject does not depend on the database (the layout, a form's
token, the script): run on SQLite only, so the browser's time is spent once."""


def web_settings(**changes) -> Settings:
    return Settings(mode="demo", max_failed_logins=3, **changes)


@pytest.fixture(scope="module", params=BACKENDS)
def web_hub(request, tmp_path_factory) -> Iterator[HubServer]:
    """A served hub over the demo world, shared by a module's tests (each test signs in
    with its own session)."""
    folder = tmp_path_factory.mktemp("web")
    with migrated_database(request.param, folder) as db:
        seed_demo(db, "small", 2026)
        with HubServer(db, web_settings()) as server:
            yield server


class WebClient(httpx.Client):
    """A browser without a browser: cookies kept, HTML asked for, redirects not followed."""

    def csrf(self, path: str) -> str:
        """The CSRF token of the form on the page at `path` (which may begin a session)."""
        page = self.get(path)
        found = TOKEN.search(page.text)
        assert found, f"no form with a CSRF token on {path}"
        return found.group(1)

    def sign_in(self, phone: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        token = self.csrf("/sign-in")
        return self.post(
            "/sign-in", data={"phone": phone, "password": password, "csrf_token": token}
        )


@pytest.fixture
def web(web_hub) -> Iterator[WebClient]:
    with WebClient(base_url=web_hub.url, headers={"Accept": "text/html"}, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "device_scale_factor": 1}


@pytest.fixture
def sign_in(web_hub) -> Callable:
    """Sign `page` in through the form; it then shows the page the account lands on."""

    def sign_in(page, phone: str, password: str = DEMO_PASSWORD) -> None:
        page.goto(f"{web_hub.url}/sign-in")
        page.get_by_label("Mobile number").fill(phone)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return sign_in
