"""Screenshots of every web page at a phone's size (360×740), in docs/screenshots/.

    python3 -m tests.web.screenshots            # every page
    python3 -m tests.web.screenshots sign-in    # the pages whose names contain a word

A demo hub (the `small` world, demo mode) is served on loopback over a scratch SQLite
database, and Debian's Chromium opens each page of `SHOTS`, signed in as the shot's demo
role (or not signed in), after the shot's own steps, then takes the whole page. A web
package adds its pages to `SHOTS`.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from cp2hub.db import Database
from cp2hub.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from cp2hub.schema import upgrade
from tests.sync.conftest import HubServer
from tests.web.conftest import CHROMIUM, PHONE, web_settings

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    role: str | None = None
    steps: Callable[[Page], None] | None = None
    """What to do on the page before the picture (fill a form, press Search)."""


def _expired_form(page: Page) -> None:
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'stale'")
    page.get_by_label("Mobile number").fill("0711000006")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()


def _register(page: Page) -> None:
    page.get_by_label("Mobile number", exact=True).fill("0722 123 456")
    page.get_by_label("Mobile number again").fill("0722123456")
    page.get_by_role("button", name="Create an account").click()


def _search(page: Page) -> None:
    page.get_by_label("Examination").select_option(index=1)
    page.get_by_role("button", name="Search").click()


def _first_job(page: Page) -> None:
    page.locator("main li.card a").first.click()


def _withdraw_and_apply_again(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^Withdraw Application")).first.click()
    page.get_by_role("link", name=re.compile("^Apply again")).first.click()
    page.get_by_label("I confirm").check()
    page.get_by_role("button", name="Submit Application").click()


SHOTS: list[Shot] = [
    Shot("sign-in", "/sign-in"),
    Shot("create-account", "/register"),
    Shot("create-account-sent", "/register", steps=_register),
    Shot("forgot-password", "/forgot-password"),
    Shot("home", "/", role="professional"),
    Shot("profile", "/profile", role="professional"),
    Shot("profile-personal", "/profile/personal", role="professional"),
    Shot("profile-payment", "/profile/payment", role="professional"),
    Shot("profile-work-add", "/profile/work/new", role="professional"),
    Shot("profile-qualification-add", "/profile/qualifications/new", role="professional"),
    Shot("jobs", "/jobs?search=1", role="professional", steps=_search),
    Shot("job-confirm", "/jobs?search=1", role="professional", steps=_first_job),
    Shot("my-applications", "/my-applications", role="professional"),
    Shot("job-thanks", "/my-applications", role="professional", steps=_withdraw_and_apply_again),
    Shot("my-deployments", "/my-deployments", role="professional"),
    Shot("my-claim", "/my-claim", role="professional"),
    Shot("password", "/password", role="professional"),
    Shot("form-expired", "/sign-in", steps=_expired_form),
    Shot("not-found", "/no/such/page", role="professional"),
]


def sign_in(page: Page, url: str, role: str) -> None:
    page.goto(f"{url}/sign-in")
    page.get_by_label("Mobile number").fill(DEMO_ACCOUNTS[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def take(shots: list[Shot], folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    taken = []
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(f"sqlite:///{scratch}/hub.sqlite3")
        upgrade(db)
        seed_demo(db, "small", 2026)
        with HubServer(db, web_settings()) as hub, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            for shot in shots:
                context = browser.new_context(viewport=PHONE, device_scale_factor=1)
                page = context.new_page()
                if shot.role:
                    sign_in(page, hub.url, shot.role)
                page.goto(hub.url + shot.path)
                if shot.steps:
                    shot.steps(page)
                    page.wait_for_load_state()
                path = folder / f"{shot.name}.png"
                page.screenshot(path=path, full_page=True)
                taken.append(path)
                context.close()
            browser.close()
        db.dispose()
    return taken


def main(argv: list[str]) -> int:
    chosen = [s for s in SHOTS if not argv or any(word in s.name for word in argv)]
    for path in take(chosen):
        print(path.relative_to(FOLDER.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
