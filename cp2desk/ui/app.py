"""Starting CP2 Desk: the QApplication, the look, the login window, then the main window.

Only Qt is imported before the login window shows; the replica, SQLAlchemy and the
sync client load while the user types (cold start budget: 1.5 s to the login window).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cp2desk.ui import theme
from cp2desk.ui.collector import Collector
from cp2desk.ui.login import LoginWindow

log = logging.getLogger(__name__)


def create_app(argv: Sequence[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("CP2 Desk")
    app.setOrganizationName("KNEC")
    theme.apply(app)
    if not hasattr(app, "collector"):
        app.collector = Collector(app)  # garbage collection on the UI thread only
    return app


def _account_functions() -> tuple[Any, Any, Any]:
    """The real sign-in functions, imported on first use (they pull in SQLAlchemy)."""

    def sign_in(hub: str, phone: str, password: str):
        from cp2desk.services import account

        return account.sign_in(hub, phone, password)

    def unlock(hub: str, phone: str, password: str):
        from cp2desk.services import account

        return account.unlock_offline(hub, phone, password)

    def can_unlock(hub: str, phone: str) -> bool:
        from cp2desk.services import account

        return account.can_unlock_offline(hub, phone)

    return sign_in, unlock, can_unlock


def _export_unsynced(hub: str, phone: str, target: Any) -> int:
    from cp2desk.services import account

    return account.export_unsynced(hub, phone, target)


def open_main_window(
    account: Any,
    now: Callable[[], dt.datetime] | None = None,
    on_signed_out: Callable[[], None] | None = None,
):
    """Build the main window for a signed-in `services.account.Account`.

    After an online sign-in the window syncs at once, so a first sign-in on a new
    computer fills the replica (and the workspaces appear) without waiting for the timer.
    """
    from cp2desk.ui.context import DeskContext
    from cp2desk.ui.main_window import MainWindow
    from cp2desk.ui.operation import OperationRunner

    runner = OperationRunner(1)
    context = DeskContext(
        account.replica,
        account.user_id,
        runner,
        display_name=_display_name(account),
        now=now or dt.datetime.now,
        client=account.client,
    )
    live = None
    if account.online:
        from cp2desk.ui.live_sync import LiveSync

        live = LiveSync(account.client, account.engine.cursor)
    window = MainWindow(
        context,
        sync=account.engine.sync,
        online=True if account.online else None,
        sync_on_open=bool(account.online),
        live=live,
    )
    runner.setParent(window)
    _attach_updates(window, context, getattr(account, "hub_url", ""))
    if account.online and not account.tokens.persistent:
        from cp2desk.sync.tokens import SESSION_ONLY

        window.status.set_session_only(SESSION_ONLY)
    context.sign_out = lambda: _sign_out(window, account, on_signed_out)
    return window


def _attach_updates(window: Any, context: Any, hub_url: str) -> None:
    """Signed updates from the hub, in a bundle that ships KNEC's root metadata (a
    development checkout is updated with git)."""
    from cp2desk.update.places import SHIPPED_ROOT, installed_app_dir

    if not hub_url or installed_app_dir() is None or not SHIPPED_ROOT.is_file():
        return
    from cp2desk.services.restart import restart_blockers
    from cp2desk.ui.update_prompt import UpdatePrompt
    from cp2desk.update.download import Updater

    updater = Updater(hub_url)
    window.attach_updates(
        UpdatePrompt(
            window,
            updater.fetch,
            lambda outbox: restart_blockers(
                context.replica, context.user_id, context.now(), outbox
            ),
            window.messages,
            window.status,
            restart,
        )
    )


def restart() -> None:
    """Quit as when the window closes (operations finish, replicas close), then start the
    program again: a bundle installs the staged version first (`cp2desk.update.install`)."""
    from PySide6.QtCore import QProcess

    app = QApplication.instance()
    app.aboutToQuit.connect(lambda: QProcess.startDetached(sys.executable, sys.argv[1:]))
    app.quit()


def _sign_out(window: Any, account: Any, on_signed_out: Callable[[], None] | None) -> None:
    """Log out: stop syncing, end the session off the UI thread (the hub forgets the
    device's tokens, the keyring and memory lose them), then close the window."""
    from cp2desk.services import account as accounts

    if window.live is not None:
        window.live.stop()
    window.sync.stop()

    def done(_result: Any = None) -> None:
        window.close()
        if on_signed_out is not None:
            on_signed_out()

    window.context.runner.run(lambda: accounts.sign_out(account), done, done)


def _display_name(account: Any) -> str:
    from cp2desk.local_db.models import AppUser

    with account.replica.read() as session:
        user = session.get(AppUser, account.user_id)
    return (user.display_name if user else "") or account.phone


def run(
    argv: Sequence[str] | None = None,
    hub_url: str = "",
    phone: str = "",
    password: str = "",
    exit_after: float = 0,
) -> int:
    """The desktop entry point: the login window, then the main window.

    `hub_url`, `phone` and `password` prefill the login (the demo signs in by itself);
    `exit_after` quits after that many seconds (smoke tests of the packaged app).
    """
    app = create_app(argv)
    sign_in, unlock, can_unlock = _account_functions()
    login = LoginWindow(sign_in, unlock, can_unlock, export=_export_unsynced)
    opened: list[tuple[Any, Any]] = []

    def signed_in(account: Any) -> None:
        def signed_out() -> None:
            opened.remove(entry)
            login.show()

        window = open_main_window(account, on_signed_out=signed_out)
        entry = (window, account)
        opened.append(entry)
        window.resize(1366, 768)
        window.show()
        login.close()

    def closing() -> None:
        for window, account in opened:
            window.shutdown()
            account.replica.dispose()

    login.signed_in.connect(signed_in)
    app.aboutToQuit.connect(closing)
    if hub_url:
        login.hub.setText(hub_url)
    if phone:
        login.phone.setText(phone)
    login.resize(1366, 768)
    login.show()
    if os.environ.get("CP2DESK_SMOKE") == "1":  # the bundle's smoke test reads this line
        _log_to_stderr()
        QTimer.singleShot(0, lambda: _log_shown(login))
    if phone and password:
        login.password.setText(password)
        QTimer.singleShot(0, login.submit)
    if exit_after:
        QTimer.singleShot(int(exit_after * 1000), app.quit)
    return app.exec()


def _log_to_stderr() -> None:
    if sys.stderr is not None:  # a windowed program on Windows has no stderr
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")


def _log_shown(login: LoginWindow, waited_ms: int = 0) -> None:
    """Once the login window is on screen (exposed), say so; after 10 s say it never was."""
    handle = login.windowHandle()
    if login.isVisible() and handle is not None and handle.isExposed():
        log.info("login window shown")
    elif waited_ms >= 10_000:
        log.warning("login window NOT shown")
    else:
        QTimer.singleShot(10, lambda: _log_shown(login, waited_ms + 10))
