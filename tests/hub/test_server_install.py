"""The hub installed alone, as on a server: `pip install '.[hub]'` into a fresh venv brings
no PySide6 and no Qt library, every hub module imports from that venv, and `cp2hub serve`
from it migrates a new SQLite file and answers its health route.

Slow (a venv and a pip install, under a minute with pip's cache warm); CI runs it. The
package is installed from a copy of the sources, so building it leaves nothing in this
folder.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cp2hub.schema import head_revision
from tests.hub.test_imports import desktop_only, loaded_by_the_hub
from tests.hub.test_serve import free_port, stop

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "cp2desk", "cp2hub")
QT_NAMES = ("pyside6", "shiboken6", "libqt", "qt6")


@pytest.fixture(scope="module")
def hub_venv(tmp_path_factory) -> Path:
    """A fresh venv holding `<sources>[hub]` and nothing else."""
    folder = tmp_path_factory.mktemp("server")
    source = folder / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    venv = folder / "venv"
    # without a pip of its own (Debian's python3 has no ensurepip): this pip installs into it
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    result = subprocess.run(
        [*_pip(venv), "install", "-q", f"{source}[hub]"],
        cwd=folder,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return venv


def test_the_hub_installs_without_qt(hub_venv):
    found = [
        str(path.relative_to(hub_venv))
        for path in hub_venv.rglob("*")
        if path.name.lower().startswith(QT_NAMES)
    ]
    assert found == []
    listed = subprocess.run(
        [*_pip(hub_venv), "list", "--format=freeze"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    assert "fastapi==" in listed and "uvicorn==" in listed
    assert not [line for line in listed.splitlines() if line.startswith(QT_NAMES)]


def test_every_hub_module_imports_from_the_server_install(hub_venv):
    modules = loaded_by_the_hub(_bin(hub_venv, "python"), hub_venv, env=_clean_env())
    assert "cp2hub.cli" in modules and "cp2hub.sms.africastalking" in modules
    assert desktop_only(modules) == []
    where = subprocess.run(
        [_bin(hub_venv, "python"), "-c", "import cp2hub; print(cp2hub.__file__)"],
        cwd=hub_venv,
        env=_clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(where.strip()).is_relative_to(hub_venv)  # the installed hub, not this folder


def test_the_server_install_serves_a_new_database(hub_venv, tmp_path):
    port = free_port()
    database = tmp_path / "hub.sqlite3"
    log_path = tmp_path / "serve.log"
    command = [
        _bin(hub_venv, "cp2hub"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--database-url",
        f"sqlite:///{database}",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=tmp_path, env=_clean_env(), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            status = _health(port, process)
        finally:
            stop(process)
    assert status == 200, log_path.read_text()
    with sqlite3.connect(database) as conn:  # serve migrated the new file to the newest schema
        assert conn.execute("select version_num from alembic_version").fetchall() == [
            (head_revision(),)
        ]


def _health(port: int, process: subprocess.Popen, seconds: float = 60) -> int | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code
        except httpx.TransportError:
            time.sleep(0.2)
    return None


def _pip(venv: Path) -> list[str]:
    return [sys.executable, "-m", "pip", "--python", _bin(venv, "python")]


def _bin(venv: Path, name: str) -> str:
    folder = venv / ("Scripts" if sys.platform == "win32" else "bin")
    return str(folder / name)


def _clean_env() -> dict[str, str]:
    """This environment without what would point the venv at these sources or a database."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CP2HUB_DATABASE_URL"}
    return {key: value for key, value in os.environ.items() if key not in drop}
