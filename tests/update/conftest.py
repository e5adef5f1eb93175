"""A release repository made by KNEC's release command (build/release.py) from two
stand-in bundles, served by a real hub, and a laptop that has the first installed.

The stand-ins are laid out like build/dist/cp2desk (the program, `_internal/` with
Python, Qt and the app's modules) and filled with random bytes, which compress as
little as the real libraries do: 6 MB, not the real 190, so the patch is made in about
a second. The second version changes only the program file's app code (its PYZ), as a
release that changes only the app's own code does.
"""

from __future__ import annotations

import importlib.util
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from cp2desk.update.download import Updater
from cp2desk.update.places import UpdatePlaces
from cp2hub.settings import Settings
from tests.sync.conftest import HubServer, migrated_database

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = {  # path in the bundle: size in bytes
    "cp2desk": 1_200_000,
    "_internal/libpython3.11.so.1.0": 1_800_000,
    "_internal/PySide6/Qt/lib/libQt6Core.so.6": 2_000_000,
    "_internal/PySide6/Qt/plugins/platforms/libqoffscreen.so": 300_000,
    "_internal/base_library.zip": 700_000,
    "_internal/resources/style.qss": 20_000,
}
CODE = ("cp2desk", 900_000, 40_000)
"""Where the app's own code sits in the stand-in program: (file, offset, length)."""


def release_tool():
    """build/release.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("release", ROOT / "build" / "release.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stand_in_bundle(folder: Path, code_seed: int) -> Path:
    """A bundle folder; the same libraries each time, the app code from `code_seed`."""
    libraries = random.Random(7)
    for name, size in LAYOUT.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(libraries.randbytes(size))
    name, offset, length = CODE
    program = bytearray((folder / name).read_bytes())
    program[offset : offset + length] = random.Random(code_seed).randbytes(length)
    (folder / name).write_bytes(bytes(program))
    (folder / name).chmod(0o755)
    return folder


@dataclass
class Published:
    folder: Path  # the release folder (repository/ inside)
    keys: Path
    root: Path  # the root metadata the app ships
    first: Path  # bundle of version 1.0
    second: Path  # bundle of version 1.1

    @property
    def repository(self) -> Path:
        return self.folder / "repository"


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Published:
    """Versions 1.0 and 1.1 published by the release command (1.1 with a patch)."""
    tool = release_tool()
    base = tmp_path_factory.mktemp("release")
    first = stand_in_bundle(base / "bundle-1.0", code_seed=1)
    second = stand_in_bundle(base / "bundle-1.1", code_seed=2)
    folder, keys, root = base / "knec", base / "keystore", base / "shipped" / "root.json"
    tool.init(folder, keys, app_root=root)
    tool.publish(folder, keys, first, "1.0")
    tool.publish(folder, keys, second, "1.1")
    return Published(folder, keys, root, first, second)


@pytest.fixture
def release(published, tmp_path) -> Published:
    """This test's own copy of the release folder, to alter as it likes."""
    folder = tmp_path / "knec"
    shutil.copytree(published.folder, folder)
    return Published(folder, published.keys, published.root, published.first, published.second)


@pytest.fixture
def hub(release, tmp_path):
    """A hub serving the release's repository (SQLite: these routes read no database)."""
    with migrated_database("sqlite", tmp_path) as db:
        settings = Settings(updates_dir=str(release.repository))
        with HubServer(db, settings) as server:
            yield server


@dataclass
class Laptop:
    app_dir: Path  # the installed bundle, version 1.0
    places: UpdatePlaces
    root: Path

    def updater(self, hub_url: str) -> Updater:
        return Updater(hub_url, "1.0", self.places, trusted_root=self.root)

    def keep_archive(self, release: Published) -> None:
        """The installed version's archive, as a laptop keeps it after an update."""
        self.places.targets.mkdir(parents=True, exist_ok=True)
        name = "cp2desk-1.0.tar.gz"
        shutil.copyfile(release.repository / "targets" / name, self.places.targets / name)


@pytest.fixture
def laptop(release, tmp_path) -> Laptop:
    app_dir = tmp_path / "installed" / "cp2desk"
    shutil.copytree(release.first, app_dir)
    return Laptop(app_dir, UpdatePlaces(tmp_path / "home" / "updates"), release.root)


def same_files(a: Path, b: Path) -> bool:
    """Whether two folders hold the same files with the same bytes."""
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    if names != sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()):
        return False
    return all((a / n).read_bytes() == (b / n).read_bytes() for n in names)
