"""deploy/Containerfile: the hub alone, as a non-root user, with a health check that works.

No container runtime runs on the test machine, so the file is read, and its health check
and command are run against a real hub as the container would run them."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

from tests.deploy.hub_process import HUB, HubProcess, base_environment, free_port

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "deploy" / "Containerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined."""
    text = re.sub(r"\\\n", " ", CONTAINERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def only(name: str) -> str:
    values = [rest for word, rest in instructions() if word == name]
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def exec_form(arguments: str) -> list[str]:
    argv = json.loads(arguments)
    assert isinstance(argv, list), "exec form, so signals reach the hub itself"
    return argv


def test_the_image_installs_the_hub_without_the_desktop_and_runs_it_unprivileged():
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    runs = [rest for word, rest in steps if word == "RUN"]
    assert any("pip install '.[hub]'" in run for run in runs)
    assert not re.search(r"pyside|qt|libgl|libegl|libxkb", " ".join(runs), re.I)
    user = only("USER")
    assert user not in ("root", "0")
    words = [word for word, _ in steps]
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN")


def test_the_image_holds_what_the_package_build_needs():
    readme = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["readme"]
    copied = set()
    for word, rest in instructions():
        if word == "COPY":
            copied.update(shlex.split(rest)[:-1])
    assert {"pyproject.toml", readme, "cp2desk", "cp2hub"} <= copied
    for path in copied:
        assert (ROOT / path).exists(), path


def test_the_command_and_health_check_on_a_real_hub(tmp_path):
    cmd = exec_form(only("CMD"))
    assert cmd[:4] == ["cp2hub", "serve", "--host", "0.0.0.0"]
    container_port = cmd[cmd.index("--port") + 1]
    assert only("EXPOSE") == container_port
    health = only("HEALTHCHECK")
    assert "/health/live" in health
    check = exec_form(health.split(" CMD ", 1)[1])

    port = str(free_port())
    argv = HUB + [a.replace(container_port, port) for a in cmd[1:]]
    argv[argv.index("0.0.0.0")] = "127.0.0.1"  # on the test machine, loopback only
    env = base_environment()
    env["XDG_DATA_HOME"] = str(tmp_path)  # as the image's, with no database URL given
    probe = [a.replace(container_port, port) for a in check]
    with HubProcess(argv, env, f"http://127.0.0.1:{port}", tmp_path / "hub.log"):
        healthy = subprocess.run(probe, capture_output=True, timeout=30)
    assert healthy.returncode == 0, healthy.stderr
    assert (tmp_path / "cp2hub" / "hub.sqlite3").exists()  # in the image's volume
    stopped = subprocess.run(probe, capture_output=True, timeout=30)
    assert stopped.returncode != 0  # the runtime marks a hub that does not answer unhealthy
