"""deploy/cp2hub.service: systemd accepts it, it keeps secrets out and the hub locked in,
and its command line, with its environment, starts a hub that is ready."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cp2hub.settings import Settings
from tests.deploy.hub_process import HUB, HubProcess, base_environment, free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "cp2hub.service"
ENV_EXAMPLE = DEPLOY / "cp2hub.env.example"
HARDENING = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ReadWritePaths": "/var/lib/cp2hub",
    "CapabilityBoundingSet": "",
    "RestrictSUIDSGID": "yes",
    "UMask": "0077",
}


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """Sections, each key with every value it is given (systemd allows repeated keys,
    which configparser does not)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"a setting outside any section: {line}"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def read_env_file(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def expand(argv: list[str], env: dict[str, str]) -> list[str]:
    """systemd's `${NAME}` in ExecStart: the variable's value as one word."""
    return [re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], word) for word in argv]


def service() -> dict[str, list[str]]:
    return parse_unit(UNIT.read_text())["Service"]


def test_the_unit_runs_the_hub_as_its_own_user_restarted_on_failure_and_locked_in():
    unit = parse_unit(UNIT.read_text())
    svc = unit["Service"]
    assert svc["User"] == ["cp2hub"] and svc["Group"] == ["cp2hub"]
    assert svc["Restart"] == ["on-failure"]
    assert svc["EnvironmentFile"] == ["/etc/cp2hub/cp2hub.env"]
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]
    argv = shlex.split(svc["ExecStart"][0])
    assert argv[1:3] == ["serve", "--host"] and "--workers" in argv
    assert argv[argv.index("--host") + 1] == "127.0.0.1"  # the proxy's, nobody else's
    for key, value in HARDENING.items():
        assert svc.get(key) == [value], key
    assert svc["StateDirectory"] == ["cp2hub"]  # the only folder it may write


def test_no_secret_in_the_unit():
    settings = {f"CP2HUB_{name.upper()}" for name in Settings.model_fields}
    secret = re.compile(r"KEY|PASSWORD|SECRET|TOKEN|DATABASE_URL", re.I)
    for assignment in service()["Environment"]:
        name = assignment.partition("=")[0]
        assert not secret.search(name), f"{name} belongs in the environment file"
        assert name not in settings, f"{name} is a setting: the environment file's to say"
    assert not re.search(r"(postgresql|sqlite)[+\w]*://", UNIT.read_text())  # no database URL


def test_the_example_environment_file_names_only_real_settings():
    settings = {f"CP2HUB_{name.upper()}" for name in Settings.model_fields}
    used_by_the_unit = set(re.findall(r"\$\{(\w+)\}", service()["ExecStart"][0]))
    for name in read_env_file(ENV_EXAMPLE):
        assert name in settings or name in used_by_the_unit, f"{name} is no setting of the hub"
    assert "0600" in ENV_EXAMPLE.read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_unit(tmp_path):
    """`systemd-analyze verify` checks every directive and that ExecStart is an executable;
    the packaged path does not exist on a test machine, so a copy points at this one's."""
    unit = tmp_path / "cp2hub.service"
    here = shutil.which("cp2hub") or sys.executable
    unit.write_text(UNIT.read_text().replace("/opt/cp2hub/venv/bin/cp2hub", here))
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr  # unknown keys warn
    security = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if security.returncode != 0 and "offline" in security.stderr:
        pytest.skip("this systemd-analyze cannot rate a unit file offline")
    exposure = re.search(r"Overall exposure level for \S+: ([\d.]+)", security.stdout)
    assert exposure and float(exposure.group(1)) <= 2.0, security.stdout[-400:]


def test_the_units_command_starts_a_ready_hub(empty_database_url, tmp_path):
    """What systemd would run: ExecStart with the unit's Environment, overridden by an
    environment file. The test machine has no systemd as PID 1 (a container), so the test
    runs that command line itself, as the unit's user would, minus the sandbox; where
    systemd runs, `systemctl start cp2hub` does the same (deploy/README.md)."""
    svc = service()
    env = base_environment()
    env.update(dict(a.split("=", 1) for a in svc["Environment"]))
    port = free_port()
    env_file = tmp_path / "cp2hub.env"
    env_file.write_text(
        f"CP2HUB_DATABASE_URL={empty_database_url}\nCP2HUB_PORT={port}\nCP2HUB_WORKERS=2\n"
        "CP2HUB_SMS_BACKEND=africastalking\nCP2HUB_SMS_USERNAME=sandbox\n"
        "CP2HUB_SMS_API_KEY=not-a-real-key\nCP2HUB_SMS_INBOUND_KEY=not-a-real-key\n"
    )
    env.update(read_env_file(env_file))  # EnvironmentFile= overrides Environment=
    env["XDG_DATA_HOME"] = str(tmp_path)  # not this machine's /var/lib
    argv = expand(shlex.split(svc["ExecStart"][0]), env)
    assert argv[0] == "/opt/cp2hub/venv/bin/cp2hub"
    url = f"http://127.0.0.1:{port}"
    with HubProcess(HUB + argv[1:], env, url, tmp_path / "hub.log") as hub:
        ready = httpx.get(f"{url}/health/ready", timeout=5)
        live = httpx.get(f"{url}/health/live", timeout=5)
        assert "Started parent process" in hub.log()  # two workers, as the unit asks
    assert ready.status_code == 200 and live.status_code == 200
    assert hub.returncode == 0, hub.log()  # SIGTERM, as KillMode=mixed sends: a clean stop
