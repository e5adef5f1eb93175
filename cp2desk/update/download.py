"""Check the hub for a new version, download it, verify it, and stage it for the next start.

The trust is tufup's and python-tuf's, not ours: the device starts from KNEC's root
metadata shipped with the app and accepts a version only through metadata signed by
KNEC's keys, unexpired, and a file whose length and hash that metadata gives. A version
that changes only the app's code comes as a bsdiff patch from the archive of the
installed version (kept in `targets/`), and the patched archive is checked against the
hash KNEC signed before it is unpacked.

Every way this can fail is one typed `UpdateFailed` with a message for the user; the
installed app is never touched here, and whatever was half downloaded or half unpacked
is removed, so the next check starts clean.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cp2desk import __version__
from cp2desk.update.errors import (
    KEEPS_WORKING,
    NoSpaceForUpdate,
    UpdateDamaged,
    UpdateFailed,
    UpdateInterrupted,
    UpdatesUnavailable,
    UpdateUnverified,
)
from cp2desk.update.places import SHIPPED_ROOT, UpdatePlaces

log = logging.getLogger(__name__)

APP_NAME = "cp2desk"
"""The archives' name in the repository: cp2desk-<version>.tar.gz, cp2desk-<version>.patch."""
Progress = Callable[[int, int], None]
"""(bytes downloaded, bytes expected) of the file being downloaded."""


class Updater:
    """The updates of this installation from the hub at `hub_url`.

    `current_version` is the installed version; `trusted_root` the root metadata to start
    from when the device has none yet (the shipped one). Runs off the UI thread."""

    def __init__(
        self,
        hub_url: str,
        current_version: str = __version__,
        places: UpdatePlaces | None = None,
        trusted_root: Path = SHIPPED_ROOT,
    ) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.current_version = current_version
        self.places = places or UpdatePlaces.default()
        self.trusted_root = trusted_root

    def staged_version(self) -> str | None:
        """The version waiting for the next start, if any (newer than the installed one)."""
        try:
            version = json.loads(self.places.ready.read_text())["version"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return version if _newer(version, self.current_version) else None

    def fetch(self, progress: Progress | None = None) -> str | None:
        """Check, download, verify and stage the newest version; returns it, or None when
        the installed (or already staged) version is the newest. Raises UpdateFailed."""
        staged = self.staged_version()
        client = self._client(staged or self.current_version)
        with _refused(self.places):
            client.refresh()
            found = client.check_for_updates()
        if found is None:
            return staged
        version = str(found.version)
        _empty(self.places.incoming)
        staged_now: list[str] = []

        def stage(src_dir: Path, dst_dir: Path, **_ignored: object) -> None:
            self._stage(Path(src_dir), version)
            staged_now.append(version)

        try:
            with _refused(self.places):
                client.download_and_apply_update(
                    skip_confirmation=True, install=stage, progress_hook=_hook(progress)
                )
        except UpdateFailed:
            _discard_unverified(client)
            raise
        finally:
            _empty(self.places.incoming, keep=False)
        if not staged_now:
            # tufup logged why; it marked a failed patch so the next check takes the archive
            raise UpdateDamaged(
                f"The update to version {version} could not be put together from the patch "
                f"and was thrown away; the whole version is downloaded at the next check. "
                f"{KEEPS_WORKING}"
            )
        _keep_only(
            self.places.targets,
            {client.new_archive_local_path.name, _archive(self.current_version)},
        )
        log.info("update %s staged for the next start", version)
        return version

    def _client(self, current: str):
        from cp2desk.update.tuf_client import UpdateClient

        places = self.places
        for folder in (places.metadata, places.targets):
            folder.mkdir(parents=True, exist_ok=True)
        root = places.metadata / "root.json"
        if not root.exists():
            if not self.trusted_root.is_file():
                raise UpdatesUnavailable(
                    "This copy of CP2 Desk was built without KNEC's update keys, so it "
                    "cannot check for updates. Ask for a copy built for release."
                )
            shutil.copyfile(self.trusted_root, root)
        with _refused(places):
            return UpdateClient(
                app_name=APP_NAME,
                app_install_dir=places.next_version,
                current_version=current,
                metadata_dir=places.metadata,
                metadata_base_url=f"{self.hub_url}/updates/metadata/",
                target_dir=places.targets,
                target_base_url=f"{self.hub_url}/updates/targets/",
                extract_dir=places.incoming,
            )

    def _stage(self, unpacked: Path, version: str) -> None:
        """Move a verified, unpacked version into `staged/` and say so last."""
        places = self.places
        with _refused(places):
            _empty(places.staged, keep=False)
            places.staged.mkdir(parents=True)
            os.replace(unpacked, places.next_version)
            ready = places.ready.with_suffix(".tmp")
            ready.write_text(json.dumps({"version": version}))
            os.replace(ready, places.ready)


def _newer(version: str, than: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) > Version(than)
    except InvalidVersion:
        return False


def _archive(version: str) -> str:
    return f"{APP_NAME}-{version}.tar.gz"


def _hook(progress: Progress | None):
    if progress is None:
        return None
    return lambda bytes_downloaded, bytes_expected: progress(bytes_downloaded, bytes_expected)


@contextmanager
def _refused(places: UpdatePlaces) -> Iterator[None]:
    """tuf's, requests' and the disk's errors as UpdateFailed with a message for people."""
    import requests
    from tuf.api import exceptions as tuf

    try:
        yield
    except UpdateFailed:
        raise
    except tuf.ExpiredMetadataError as error:
        log.warning("update refused: %s", error)
        raise UpdateUnverified(
            "The hub's update information has expired (KNEC signs it again every week), "
            f"so no update was downloaded. {KEEPS_WORKING} Tell the help desk if this lasts."
        ) from error
    except tuf.LengthOrHashMismatchError as error:
        log.warning("update refused: %s", error)
        raise UpdateDamaged(
            "The downloaded update is not what KNEC signed (it was cut short or altered on "
            f"the way) and was thrown away; it is downloaded again at the next check. "
            f"{KEEPS_WORKING}"
        ) from error
    except tuf.RepositoryError as error:
        log.warning("update refused: %s", error)
        raise UpdateUnverified(
            "The update on the hub does not carry KNEC's valid signature, so it was refused. "
            f"{KEEPS_WORKING} Tell the help desk: the hub's update files may have been changed."
        ) from error
    except tuf.DownloadHTTPError as error:
        log.warning("update check: %s", error)
        if error.status_code == 404:
            raise UpdatesUnavailable(
                f"The hub publishes no updates of CP2 Desk at the moment. {KEEPS_WORKING}"
            ) from error
        raise UpdateInterrupted(
            f"The hub could not hand out the update now; it is tried again later. {KEEPS_WORKING}"
        ) from error
    except (tuf.DownloadError, requests.RequestException) as error:
        log.warning("update download stopped: %s", error)
        raise UpdateInterrupted(
            "The update's download was cut off or the hub could not be reached; it starts "
            f"again at the next check. {KEEPS_WORKING}"
        ) from error
    except OSError as error:
        log.warning("update: %s", error)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise NoSpaceForUpdate(
                f"Not enough free disk space for the update in {places.folder}: free some "
                f"space (about 200 MB) and it is tried again. {KEEPS_WORKING}"
            ) from error
        raise UpdateFailed(
            f"The update could not be saved in {places.folder} ({error.strerror}). {KEEPS_WORKING}"
        ) from error


def _discard_unverified(client) -> None:
    """Remove what a failed download left in targets/ that does not match its hash."""
    for target in (client.new_targets or {}).values():
        path = Path(client.target_dir) / target.path
        try:
            if path.exists() and not client.find_cached_target(target):
                path.unlink()
        except OSError:
            log.warning("could not remove %s", path)


def _keep_only(folder: Path, names: set[str]) -> None:
    """Old archives and patches go once a newer version is staged."""
    for path in folder.iterdir():
        if path.name not in names:
            try:
                path.unlink()
            except OSError:
                log.warning("could not remove %s", path)


def _empty(folder: Path, keep: bool = True) -> None:
    """Remove `folder`'s content (and `folder` itself unless `keep`)."""
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
    if keep:
        folder.mkdir(parents=True, exist_ok=True)
