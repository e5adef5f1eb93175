"""tufup's client, with one change: its metadata refresh raises.

`tufup.client.Client.check_for_updates` refreshes the metadata itself and turns a failed
download or a bad signature into a log line and "no update". The app must tell a user
why an update was refused, so `Updater` refreshes first (errors raised, then worded by
`cp2desk.update.download`) and the refresh inside `check_for_updates` is not repeated:
python-tuf allows one refresh per client."""

from __future__ import annotations

from tufup.client import Client


class UpdateClient(Client):
    _refreshed = False

    def refresh(self) -> None:
        if not self._refreshed:
            super().refresh()
            self._refreshed = True
