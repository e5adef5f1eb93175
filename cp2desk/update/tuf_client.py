"""tufup's client, with one change: its metadata refresh raises.

`tufup.client.Client.check_for_updates` refreshes the metadata itself and turns a failed
download or a bad signature into a log line and "no update". The app must tell a user
why an update was refused, so `Updater` refreshes first (errors raised, then worded by
`cp2desk.update.download`) and the refresh inside `check_for_updates` is not repeated:
python-tuf allows one refresh per client."""

from __future__ import annotations

import sys
import types


def _setuptools_stand_in() -> None:
    """Importing tufup imports its repository side, which imports `setuptools.config.expand`
    to read a source tree's version. A device never does that, and the bundle leaves
    setuptools out (its spec's EXCLUDES): without a stand-in the import fails there
    (tufup expects only AssertionError from it)."""
    try:
        import setuptools.config.expand  # noqa: F401
    except ImportError:
        for name in ("setuptools", "setuptools.config", "setuptools.config.expand"):
            sys.modules[name] = types.ModuleType(name)


_setuptools_stand_in()

from tufup.client import Client  # noqa: E402


class UpdateClient(Client):
    _refreshed = False

    def refresh(self) -> None:
        if not self._refreshed:
            super().refresh()
            self._refreshed = True
