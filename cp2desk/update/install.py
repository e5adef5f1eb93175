"""Put a staged version in place of the installed app, at the start of the app.

`install_at_start()` runs first thing when the bundled app starts (`cp2desk.cli`), before
Qt or any replica is opened: nothing of the old version is in use but its own program
file. On Linux and macOS each file of the new version is first copied beside its old
one (`name.cp2new`), then all are renamed over the old ones; a disk that fills during
the copy leaves the installed app as it was (the copies are removed, the staged version
waits for the next start). The app then starts again as the new version, and the
replicas and their outboxes, which live in the data folder and never in the app's
folder, are migrated by the new version as it opens them.

On Windows a running program's files cannot be replaced: tufup's installer script
(robocopy) moves the staged files once this process has exited and starts the app again.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from pathlib import Path

from cp2desk import __version__
from cp2desk.update.places import UpdatePlaces, installed_app_dir

log = logging.getLogger(__name__)

NEW_SUFFIX = ".cp2new"
EXECUTABLE = "cp2desk.exe" if sys.platform == "win32" else "cp2desk"
WINDOWS_SCRIPT = """@echo off
{log_lines}
echo Installing the new version of CP2 Desk...
timeout /t 2 /nobreak >nul
robocopy "{src_dir}" "{dst_dir}" {robocopy_options}
start "" "{dst_dir}\\{executable}"
{delete_self}
"""


def install_at_start(places: UpdatePlaces | None = None) -> None:
    """Install a staged version into the running bundle's folder and start it instead
    of this process; return quietly when there is none or this is no bundle."""
    app_dir = installed_app_dir()
    if app_dir is None:
        return
    places = places or UpdatePlaces.default()
    if not places.ready.exists():
        return
    if sys.platform == "win32":
        _install_on_windows(places, app_dir)  # exits
        return
    version = install_staged(places, app_dir)
    if version is not None:
        log.info("installed version %s; starting it", version)
        os.execv(str(app_dir / EXECUTABLE), [str(app_dir / EXECUTABLE), *sys.argv[1:]])


def install_staged(
    places: UpdatePlaces, app_dir: Path, current_version: str = __version__
) -> str | None:
    """Move the staged version's files over those in `app_dir`; returns its version, or
    None when nothing was installed (none staged, not newer, or the disk is full)."""
    version = _ready_version(places)
    if version is None:
        return None
    from packaging.version import InvalidVersion, Version

    try:
        newer = Version(version) > Version(current_version)
    except InvalidVersion:
        newer = False
    if not newer:
        shutil.rmtree(places.staged, ignore_errors=True)
        return None
    files = [p for p in places.next_version.rglob("*") if p.is_file() or p.is_symlink()]
    copies: list[tuple[Path, Path]] = []
    try:
        for source in files:
            target = app_dir / source.relative_to(places.next_version)
            target.parent.mkdir(parents=True, exist_ok=True)
            copy = target.with_name(target.name + NEW_SUFFIX)
            copies.append((copy, target))
            if source.is_symlink():
                copy.unlink(missing_ok=True)
                copy.symlink_to(os.readlink(source))
            else:
                shutil.copy2(source, copy)
    except OSError as error:
        log.warning("update %s not installed, the app stays as it was: %s", version, error)
        for copy, _target in copies:
            copy.unlink(missing_ok=True)
        return None
    for copy, target in copies:
        os.replace(copy, target)
    shutil.rmtree(places.staged, ignore_errors=True)
    return version


def _ready_version(places: UpdatePlaces) -> str | None:
    try:
        return str(json.loads(places.ready.read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _install_on_windows(places: UpdatePlaces, app_dir: Path) -> None:
    from tufup.utils.platform_specific import install_update

    if _ready_version(places) is None:
        return
    places.ready.unlink()  # the script moves the files; never run it twice
    install_update(
        src_dir=places.next_version,
        dst_dir=app_dir,
        batch_template=WINDOWS_SCRIPT,
        batch_template_extra_kwargs={"executable": EXECUTABLE},
        log_file_name="install.log",
        process_creation_flags=0x08000000,  # CREATE_NO_WINDOW
    )
