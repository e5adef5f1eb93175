"""Where CP2 Desk keeps its files on this machine.

By default the operating system's conventional folders (via platformdirs): on Linux
`~/.local/share/cp2desk` and `~/.local/state/cp2desk/log`, on Windows
`%LOCALAPPDATA%\\KNEC\\cp2desk`, on macOS `~/Library/Application Support/cp2desk`.
Setting `CP2DESK_HOME` puts everything under that one folder instead, so tests and
the demo never touch a real user's replicas. Nothing here creates folders; the code
that writes a file creates its parent.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

APP_NAME = "cp2desk"
APP_AUTHOR = "KNEC"
HOME_ENV = "CP2DESK_HOME"


def _home() -> Path | None:
    home = os.environ.get(HOME_ENV)
    return Path(home).expanduser() if home else None


def data_dir() -> Path:
    """The folder of the app's own data (replicas)."""
    home = _home()
    if home is not None:
        return home / "data"
    return platformdirs.user_data_path(APP_NAME, APP_AUTHOR, roaming=False)


def log_dir() -> Path:
    """The folder of the app's log files (what a support person asks for)."""
    home = _home()
    if home is not None:
        return home / "logs"
    return platformdirs.user_log_path(APP_NAME, APP_AUTHOR)


def replicas_dir() -> Path:
    return data_dir() / "replicas"


def replica_path(hub_url: str, user: str) -> Path:
    """The replica of `user` (a phone number or user id) against the hub at `hub_url`.

    One file per hub and user: two people sharing a laptop, or one person signed in to a
    training hub and the live hub, never mix their data or their pending changes.
    """
    url = urlsplit(hub_url if "//" in hub_url else f"//{hub_url}")
    host = url.hostname or hub_url
    if url.port:
        host = f"{host}:{url.port}"
    return replicas_dir() / f"{_safe(host)}-{_safe(user)}.sqlite3"


def _safe(part: str) -> str:
    """`part` as a file name fragment valid on every OS (e.g. `127.0.0.1:8000` -> `127.0.0.1_8000`)."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", part).strip("._") or "_"
