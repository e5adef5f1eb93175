"""KNEC's release command: the signed update repository CP2 Desk's devices update from.

    python3 build/release.py init    --dir D --keys K
    python3 build/release.py publish --dir D --keys K build/dist/cp2desk [--version V]
    python3 build/release.py refresh --dir D --keys K
    python3 build/release.py rotate  --dir D --keys K ROLE

`D` is the release folder: `D/repository/` (`metadata/` and `targets/`) is what a hub
serves (`CP2HUB_UPDATES_DIR=D/repository`), and `D/.tufup-repo-config` says where the
keys are and which roles they sign. `K` is the keystore: the private keys, made here and
kept by KNEC on an encrypted, offline medium; never in this repository, never on a hub,
never printed (only key names and file paths are).

The signing is tufup's (python-tuf underneath: root, targets, snapshot and timestamp
roles, ed25519 keys). Each `publish` adds the bundle as a `.tar.gz` archive and, from
the previous archive, a bsdiff patch, so a device that has the previous version
downloads only the patch. Metadata expires (timestamp after 7 days, snapshot and targets
after 90, root after 365): `refresh` re-signs it before then; a device refuses expired
metadata, so a stolen copy of an old repository cannot hold devices back for ever.

`init` and `rotate root` also write the root metadata to `cp2desk/update/root.json`
(`--app-root` to put it elsewhere): the app ships it and trusts nothing else at first;
commit it. Needs the `release` extra (`pip install -e '.[release]'`).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from tufup.repo import Keys, Repository

APP_NAME = "cp2desk"
ROOT = Path(__file__).resolve().parent.parent
APP_ROOT_METADATA = ROOT / "cp2desk" / "update" / "root.json"
EXPIRATION_DAYS = {"root": 365, "targets": 90, "snapshot": 90, "timestamp": 7}
ROLES = ("root", "targets", "snapshot", "timestamp")
REPOSITORY = "repository"

log = logging.getLogger("release")
logging.getLogger("tufup.repo").setLevel(logging.ERROR)  # its notes on paths are for us


class ReleaseError(Exception):
    """A release step that cannot go on; the message says what to do."""


@contextlib.contextmanager
def _in(folder: Path) -> Iterator[None]:
    """tufup keeps its configuration in the working folder: the release folder's."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _open(folder: Path, keys: Path) -> Repository:
    if not (folder / Repository.config_filename).exists():
        raise ReleaseError(f"{folder} is no release folder: run `init` first")
    if not keys.is_dir():
        raise ReleaseError(f"no keystore at {keys}")
    with _in(folder):
        repository = Repository.from_config()
    repository.keys_dir = keys
    return repository


def init(folder: Path, keys: Path, app_root: Path | None = APP_ROOT_METADATA) -> Path:
    """A new repository in `folder` with a new key pair per role in `keys`; returns the
    root metadata's path."""
    folder, keys = folder.resolve(), keys.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / Repository.config_filename).exists():
        raise ReleaseError(f"{folder} already holds a repository: use publish or rotate")
    if any(keys.glob("*.pub")):
        raise ReleaseError(f"{keys} already holds keys: give an empty or new folder")
    keys.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _in(folder):
        repository = Repository(
            app_name=APP_NAME,
            repo_dir=folder / REPOSITORY,
            keys_dir=keys,
            expiration_days=dict(EXPIRATION_DAYS),
        )
        repository.initialize()
        repository.save_config()
    _private_only(keys)
    root = repository.metadata_dir / "root.json"
    _ship_root(root, app_root)
    return root


def publish(
    folder: Path, keys: Path, bundle: Path, version: str, required: bool = False
) -> list[Path]:
    """Add `bundle` (a folder laid out like build/dist/cp2desk) as `version`, with a
    patch from the previous version, and sign; returns the new files under targets/."""
    folder, keys, bundle = folder.resolve(), keys.resolve(), bundle.resolve()
    if not bundle.is_dir():
        raise ReleaseError(f"{bundle} is not a folder: build the bundle first (make bundle)")
    repository = _open(folder, keys)
    before = set(repository.targets_dir.iterdir()) if repository.targets_dir.exists() else set()
    with _in(folder):
        latest = repository.roles.get_latest_archive()
        if latest is not None and not latest.version < _version(version):
            raise ReleaseError(
                f"version {version} is not newer than the published {latest.version}"
            )
        repository.add_bundle(new_bundle_dir=bundle, new_version=version, required=required)
        repository.publish_changes(private_key_dirs=[keys])
    return sorted(set(repository.targets_dir.iterdir()) - before)


def refresh(folder: Path, keys: Path, days: dict[str, float] | None = None) -> None:
    """Re-sign targets, snapshot and timestamp with new expiry dates (`days` per role,
    default EXPIRATION_DAYS): run it before the timestamp expires (weekly)."""
    folder, keys = folder.resolve(), keys.resolve()
    repository = _open(folder, keys)
    with _in(folder):
        for role in ("targets", "snapshot", "timestamp"):
            repository.refresh_expiration_date(role, days=(days or {}).get(role))
        repository.publish_changes(private_key_dirs=[keys])


def rotate(folder: Path, keys: Path, role: str, app_root: Path | None = APP_ROOT_METADATA) -> str:
    """Replace `role`'s key by a new one made in `keys` (the old one still signs this
    root once, so devices trust the new root from the old). Returns the new key's name."""
    if role not in ROLES:
        raise ReleaseError(f"no role {role!r}: one of {', '.join(ROLES)}")
    folder, keys = folder.resolve(), keys.resolve()
    repository = _open(folder, keys)
    with _in(folder):
        old = repository.key_map[role][0]
        new = f"{role}-{date.today():%Y%m%d}"
        if new == old or (keys / new).exists():
            raise ReleaseError(f"a key named {new} exists already: rotate at most daily")
        public = Keys.create_key_pair(private_key_path=keys / new, encrypted=False)
        repository.replace_key(
            old_key_name=old, new_public_key_path=public, new_private_key_encrypted=False
        )
        repository.publish_changes(private_key_dirs=[keys])
    _private_only(keys)
    if role == "root":
        _ship_root(repository.metadata_dir / "root.json", app_root)
    return new


def _version(text: str):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text)
    except InvalidVersion:
        raise ReleaseError(f"{text!r} is not a version (e.g. 1.4.0)") from None


def _private_only(keys: Path) -> None:
    """Private key files readable by their owner alone."""
    for path in keys.iterdir():
        if path.suffix != ".pub":
            path.chmod(0o600)


def _ship_root(root: Path, app_root: Path | None) -> None:
    if app_root is not None:
        app_root.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root, app_root)
        print(f"root metadata written to {app_root}: commit it, the app ships it")


def _app_version() -> str:
    sys.path.insert(0, str(ROOT))
    from cp2desk import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="release", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("init", "a new repository and a new key per role"),
        ("publish", "add a bundle as a new version, with a patch from the previous one"),
        ("refresh", "re-sign the metadata before it expires (weekly)"),
        ("rotate", "replace a role's key"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--dir", type=Path, required=True, help="the release folder")
        command.add_argument("--keys", type=Path, required=True, help="the keystore folder")
        if name in ("init", "rotate"):
            command.add_argument("--app-root", type=Path, default=APP_ROOT_METADATA)
        if name == "publish":
            command.add_argument("bundle", type=Path, help="e.g. build/dist/cp2desk")
            command.add_argument("--version", default=None, help="default: cp2desk.__version__")
            command.add_argument("--required", action="store_true")
        if name == "rotate":
            command.add_argument("role", choices=ROLES)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    try:
        if args.command == "init":
            root = init(args.dir, args.keys, args.app_root)
            print(f"repository made: serve {args.dir / REPOSITORY} (CP2HUB_UPDATES_DIR)")
            print(f"root metadata: {root}")
        elif args.command == "publish":
            version = args.version or _app_version()
            for path in publish(args.dir, args.keys, args.bundle, version, args.required):
                print(f"published {path.name}: {path.stat().st_size / 2**20:.1f} MB")
        elif args.command == "refresh":
            refresh(args.dir, args.keys)
            print("metadata re-signed")
        else:
            print(f"new {args.role} key: {rotate(args.dir, args.keys, args.role, args.app_root)}")
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
