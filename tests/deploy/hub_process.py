"""`cp2hub serve` as its own process, the way a service manager or a container runs it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HUB = [sys.executable, "-m", "cp2hub.cli"]
"""The `cp2hub` command, run by this interpreter so it is the code under test."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_environment() -> dict[str, str]:
    """What a service starts with: no CP2HUB_ setting of the test run's own."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CP2HUB_", "FORWARDED_"))}


class HubProcess:
    """Runs `argv` with `env`, waits until `url`/health/ready answers 200, and stops it with
    SIGTERM (as systemd's KillMode=mixed and a container runtime do)."""

    def __init__(self, argv: list[str], env: dict[str, str], url: str, log: Path) -> None:
        self.argv = argv
        self.env = env
        self.url = url
        self.log_path = log
        self.returncode: int | None = None

    def __enter__(self) -> HubProcess:
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.argv, stdout=self._log, stderr=subprocess.STDOUT, env=self.env
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise AssertionError(f"the hub did not become ready:\n{self.log()}")

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.returncode = self.process.returncode
        self._log.close()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text()
