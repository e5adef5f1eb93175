"""At the start of the bundled app, a staged version replaces the installed one and is
started in its place (a real `execv`), leaving the replicas and their outboxes alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from cp2desk.update.places import UpdatePlaces

ROOT = Path(__file__).resolve().parents[2]


def program(path: Path, says: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\necho "{says} $@"\n')
    path.chmod(0o755)


def start_bundle(app_dir: Path, places: UpdatePlaces) -> subprocess.CompletedProcess:
    """What `cp2desk run` does first in a bundle, in a process that says it is one."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.frozen = True
        sys.executable = {str(app_dir / "cp2desk")!r}
        sys.argv = [sys.executable, "run"]
        from cp2desk.update.install import install_at_start
        from cp2desk.update.places import UpdatePlaces
        from pathlib import Path
        install_at_start(UpdatePlaces(Path({str(places.folder)!r})))
        print("the old version carried on")
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )


def test_a_staged_version_is_installed_and_started_at_the_next_start(tmp_path):
    app_dir = tmp_path / "cp2desk"
    program(app_dir / "cp2desk", "old version")
    (app_dir / "_internal").mkdir()
    (app_dir / "_internal" / "lib.so").write_bytes(b"old library")
    places = UpdatePlaces(tmp_path / "data" / "updates")
    program(places.next_version / "cp2desk", "new version")
    (places.next_version / "_internal").mkdir()
    (places.next_version / "_internal" / "lib.so").write_bytes(b"new library")
    places.ready.write_text(json.dumps({"version": "99.0"}))
    replica = tmp_path / "data" / "replicas" / "hub-254711000001.sqlite3"
    replica.parent.mkdir(parents=True)
    replica.write_bytes(b"replica with its outbox")

    started = start_bundle(app_dir, places)

    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "new version run", "the new program was started instead"
    assert (app_dir / "_internal" / "lib.so").read_bytes() == b"new library"
    assert not places.staged.exists()
    assert not list(app_dir.rglob("*.cp2new"))
    assert replica.read_bytes() == b"replica with its outbox"


def test_without_a_staged_version_the_app_starts_as_it_is(tmp_path):
    app_dir = tmp_path / "cp2desk"
    program(app_dir / "cp2desk", "old version")
    started = start_bundle(app_dir, UpdatePlaces(tmp_path / "updates"))
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "the old version carried on"


def test_a_staged_version_no_newer_than_the_installed_one_is_dropped(tmp_path):
    app_dir = tmp_path / "cp2desk"
    program(app_dir / "cp2desk", "old version")
    places = UpdatePlaces(tmp_path / "updates")
    program(places.next_version / "cp2desk", "older version")
    places.ready.write_text(json.dumps({"version": "0.0.1"}))
    started = start_bundle(app_dir, places)
    assert started.stdout.strip() == "the old version carried on"
    assert "old version" in (app_dir / "cp2desk").read_text()
    assert not places.staged.exists()
