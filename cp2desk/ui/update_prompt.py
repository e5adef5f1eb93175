"""Updates in the window: fetched in the background, offered only at a quiet moment.

The updater (`cp2desk.update.download`) runs on its own runner: a download can take
minutes on a metered link, and the register's operations must never queue behind it.
It runs when the main window opens and after each successful sync. Once a version is
staged, the window asks "restart now / later", but only when no session is open for
marking and no change waits in the outbox (`services.restart`); until then the status
bar says a version is ready and installs at the next start, and the question comes
after a later sync. Once answered "Later", a version is not asked about again until the
next start installs it. An update never restarts the app by itself.

When the hub no longer speaks this version's protocol ("too old"), the window offers
the update at once; the changes the old version could not send stay in the outbox for
the new one, and can be exported meanwhile.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from cp2desk.ui.confirm import confirm
from cp2desk.ui.message_bar import MessageBar
from cp2desk.ui.operation import OperationRunner, user_message
from cp2desk.ui.sync_status import SyncStatus

log = logging.getLogger(__name__)

Fetch = Callable[[], "str | None"]
"""Check, download, verify and stage; the staged version, or None when up to date."""
KEPT = (
    "Your unsynced changes are kept, and the new version sends them; meanwhile you can "
    "export them (bottom right)."
)
Blockers = Callable[[bool], list[str]]
"""(count the outbox?) -> why not to offer a restart now; empty when it is fine."""
CHECK_EVERY_S = 3600.0
"""How often syncs may ask the hub for a new version. On the live channel a centre syncs
every few seconds in the morning rush: ten thousand devices must not each fetch the
update metadata as often."""


class UpdatePrompt(QObject):
    def __init__(
        self,
        window: QWidget,
        fetch: Fetch,
        blockers: Blockers,
        messages: MessageBar,
        status: SyncStatus,
        restart: Callable[[], None],
    ) -> None:
        super().__init__(window)
        self.window, self.fetch, self.blockers = window, fetch, blockers
        self.messages, self.status, self.restart = messages, status, restart
        self.runner = OperationRunner(1, self)
        self.version: str | None = None
        """The version staged for the next start, once one is."""
        self.too_old: str | None = None
        """The hub's words once it has refused this version as too old."""
        self.fetching = False
        self.asking: QMessageBox | None = None
        self.declined: str | None = None
        """The version the user said "Later" to: not asked about again in this run."""
        self.checked_at: float | None = None

    def check(self, asked_by_user: bool = False, force: bool = False) -> None:
        """Look for a new version in the background: once at a time, and at most once an
        hour unless the user asks or the hub said this version is too old. Once a version
        is staged, only offer it again (the moment may have become quiet)."""
        if self.version is not None and not asked_by_user:
            self.offer()
            return
        now = time.monotonic()
        recent = self.checked_at is not None and now - self.checked_at < CHECK_EVERY_S
        if self.fetching or (recent and not (asked_by_user or force)):
            return
        self.checked_at = now
        self.fetching = True
        if asked_by_user:
            self.messages.show_message("Downloading the update from the hub…", "info")
        self.runner.run(self.fetch, self._fetched, lambda error: self._failed(error, asked_by_user))

    def hub_too_old_for_us(self, message: str) -> None:
        """The hub refused this version: say so, offer the update, fetch it."""
        self.too_old = message or "This version of CP2 Desk is too old for the hub."
        self.status.set_too_old()
        if self.version is not None:
            self._say_ready_to_replace_too_old()
            self.offer()
            return
        self.messages.show_message(
            f"{self.too_old} The update is being downloaded from the hub. {KEPT}",
            "error",
            action=("Get the update", lambda: self.check(asked_by_user=True)),
        )
        self.check(force=True)

    def _say_ready_to_replace_too_old(self) -> None:
        self.messages.show_message(
            f"{self.too_old} Version {self.version} is downloaded and is installed when CP2 "
            f"Desk restarts. {KEPT}",
            "error",
            action=("Restart now", self._restart_now),
        )

    def _fetched(self, version: str | None) -> None:
        self.fetching = False
        if version is None:
            if self.too_old:
                self.messages.show_message(
                    "The hub has no newer version of CP2 Desk yet. Ask your sub-county ICT "
                    "officer; meanwhile export your unsynced changes from the status bar.",
                    "warning",
                )
            return
        self.version = version
        if self.too_old is not None:
            self._say_ready_to_replace_too_old()
        self.offer()

    def _failed(self, error: BaseException, asked_by_user: bool) -> None:
        self.fetching = False
        log.warning("update check failed: %s", user_message(error))
        if asked_by_user or self.too_old:
            self.messages.error(user_message(error))

    def offer(self) -> None:
        """Ask to restart if the moment is quiet; otherwise say the version is ready."""
        if self.version is None or self.asking is not None:
            return
        count_outbox = self.too_old is None
        self.runner.run(lambda: self.blockers(count_outbox), self._decide)

    def _decide(self, held: list[str]) -> None:
        assert self.version is not None
        self.status.set_update_ready(self.version, held)
        if held:
            log.info("update %s held back: %s", self.version, "; ".join(held))
            return
        if self.asking is not None or self.declined == self.version:  # ask once
            return
        self.asking = confirm(
            self.window,
            "Update ready",
            f"Version {self.version} of CP2 Desk is ready. Restart now to start using it? "
            "Your work is kept. If you choose later, it is installed the next time CP2 Desk "
            "starts.",
            "Restart now",
            self._restart_now,
            reject="Later",
        )
        self.asking.finished.connect(self._answered)

    def _answered(self) -> None:
        box, self.asking = self.asking, None
        chosen = box.clickedButton() if box is not None else None
        if chosen is None or chosen.text() != "Restart now":
            self.declined = self.version

    def _restart_now(self) -> None:
        """Look once more (a session may have opened since the question), then restart."""
        count_outbox = self.too_old is None

        def go(held: list[str]) -> None:
            if held:
                self.status.set_update_ready(self.version or "", held)
                self.messages.show_message(
                    "Not restarting now: " + "; ".join(held) + ". The update is installed "
                    "the next time CP2 Desk starts.",
                    "info",
                )
                return
            self.restart()

        self.runner.run(lambda: self.blockers(count_outbox), go)
