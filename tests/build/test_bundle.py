"""The PyInstaller bundle (build/cp2desk.spec): built once per test session into a temp
folder, then started offscreen.

- `cp2desk run --exit-after 2` reaches the login window (the app logs "login window
  shown" on stderr once the window is exposed, when CP2DESK_SMOKE=1) and exits 0;
  the bundle's size and its start time (spawn to that line) are printed.
- the bundle holds what the spec promises (Qt plugins, style, icons, migrations) and
  not what it keeps out (dev tools, plain-text keyrings, the PostgreSQL driver).
- `cp2desk demo` from the bundle runs its embedded hub and signs in: the replica is
  created and migrated by Alembic from the migration files inside the bundle.

Slow (the build takes one to two minutes); CI runs it. PyInstaller missing is a
failure, not a skip: it is in the dev extra (`pip install -e '.[dev]'`).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cp2desk.local_db.migrate import HEAD

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build" / "cp2desk.spec"
EXE_NAME = "cp2desk.exe" if sys.platform == "win32" else "cp2desk"


@pytest.fixture(scope="session")
def bundle(tmp_path_factory, pytestconfig) -> Path:
    """The one-folder bundle, built once for the whole session."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller is not installed: pip install -e '.[dev]'")
    out = tmp_path_factory.mktemp("bundle")
    log = out / "pyinstaller.log"
    started = time.perf_counter()
    with log.open("w") as sink:
        result = subprocess.run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
             "--distpath", str(out / "dist"), "--workpath", str(out / "work"), str(SPEC)],
            cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, timeout=1200,
        )
    built = time.perf_counter() - started
    assert result.returncode == 0, f"PyInstaller failed:\n{log.read_text()[-4000:]}"
    folder = out / "dist" / "cp2desk"
    assert (folder / EXE_NAME).is_file()
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    _report(pytestconfig, f"bundle built in {built:.0f} s: {folder} is {size / 2**20:.0f} MB")
    return folder


def _report(config, line: str) -> None:
    """Print past pytest's capture, so the figure shows in CI's log."""
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print(f"[bundle] {line}")
        return
    with capture.global_and_fixture_disabled():
        print(f"\n[bundle] {line}", flush=True)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CP2DESK_", "CP2HUB_"))}
    env.update(QT_QPA_PLATFORM="offscreen", CP2DESK_SMOKE="1", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), **extra)
    env.pop("PYTHONPATH", None)  # the bundle must not lean on the source tree
    return env


def test_the_bundle_starts_offscreen_reaches_the_login_window_and_exits_0(
    bundle, tmp_path, pytestconfig
):
    env = _env(tmp_path, CP2DESK_HOME=str(tmp_path / "home"))
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(bundle / EXE_NAME), "run", "--exit-after", "2"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    watchdog = threading.Timer(60, child.kill)  # a hung bundle fails, never hangs the suite
    watchdog.start()
    shown_after = None
    lines = []
    assert child.stderr is not None
    for line in child.stderr:
        lines.append(line)
        if "login window shown" in line and shown_after is None:
            shown_after = time.perf_counter() - started
    out, _ = child.communicate(timeout=60)
    watchdog.cancel()
    stderr = "".join(lines)
    assert child.returncode == 0, f"exit {child.returncode}\n{out}\n{stderr}"
    assert shown_after is not None, f"no 'login window shown' on stderr:\n{stderr}"
    assert "NOT shown" not in stderr
    _report(pytestconfig, f"start to the login window shown: {shown_after:.2f} s (offscreen)")


def test_the_bundle_holds_plugins_resources_and_migrations_and_no_dev_tools(bundle):
    inside = bundle / "_internal"
    plugins = inside / "PySide6" / "Qt" / "plugins"
    for folder, stem in (("platforms", "qoffscreen"), ("imageformats", "qsvg"),
                         ("iconengines", "qsvgicon")):
        assert any(stem in f.name for f in (plugins / folder).iterdir()), (folder, stem)
    assert (inside / "resources" / "style" / "app.qss").is_file()
    assert (inside / "resources" / "icons" / "app.svg").is_file()
    migrations = inside / "cp2desk" / "local_db" / "migrations"
    assert (migrations / "env.py").is_file()
    assert {p.stem.split("_")[0] for p in (migrations / "versions").glob("0*.py")} >= {HEAD}
    assert (inside / "cp2hub" / "migrations" / "env.py").is_file()
    assert (inside / "bsdiff4").is_dir(), "updates come as bsdiff patches"
    for absent in ("keyrings", "psycopg", "psycopg_binary", "pytest", "_pytest", "PyInstaller",
                   "botocore", "nacl"):
        assert not (inside / absent).exists(), f"{absent} should not be in the bundle"
    assert not (inside / "PySide6" / "Qt" / "translations").exists()


def test_the_bundled_demo_signs_in_and_migrates_its_replica(bundle, tmp_path):
    """`cp2desk demo` from the bundle: embedded hub, sign-in, a replica at HEAD."""
    home = tmp_path / "demo"
    result = subprocess.run(
        [str(bundle / EXE_NAME), "demo", "--home", str(home), "--exit-after", "20"],
        cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "login window shown" in output
    replicas = list((home / "desk" / "data" / "replicas").glob("*.sqlite3"))
    assert len(replicas) == 1, output
    conn = sqlite3.connect(replicas[0])
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
    finally:
        conn.close()
