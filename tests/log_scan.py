"""No secret in any log line of a test run.

For the whole session every log record (the hub's and the desk's, at DEBUG; every other
library's warnings) is written as the hub writes it (`cp2hub.logs.JsonFormatter`) to a
file, and at the end that file is scanned, with every `*.log` the tests left in their
temporary folders: what served hubs (`cp2hub serve` in its own process) and nginx wrote.
A line that holds a secret fails the run, naming the secret's kind and the line.

The secrets are those the run knew: every password the run hashed or checked (argon2's
`PasswordHasher`, both sides), every token a hub issued in this process or a client
received from any hub (`cp2hub.auth._issue`, `HubClient._take`), the test modules'
constants named for a password, key or secret, the demo password; and whatever has the
form of one (a bearer token, `password=`, a `key=` with a value).

uvicorn's own loggers do not pass their lines on when a test serves the hub in a thread;
the hub's lines about requests are its own loggers' and are scanned.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cp2hub.logs import JsonFormatter

TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]{20,}")
"""A run of the characters of a token (`secrets.token_urlsafe`): tokens are looked for
in these runs, so thousands of known tokens cost a set lookup each, not a search."""
PATTERNS = {
    "bearer token": re.compile(r"Bearer\s+[A-Za-z0-9_.~+/-]{20,}", re.IGNORECASE),
    "password field": re.compile(r"password=[^&\s]|\"password\":\s*\"[^\"]", re.IGNORECASE),
    "key in a query string": re.compile(r"[?&]key=[^&\[\s\"]", re.IGNORECASE),
    "token field": re.compile(r"\"(access|refresh)_token\":\s*\"[^\"]"),
}
NAMED_SECRET = re.compile(r"PASSWORD|KEY|SECRET")
MIN_SECRET = 8
"""Shorter strings (a test's "wrong") are too likely to be words of an honest line."""


@dataclass(frozen=True)
class Finding:
    kind: str
    where: str
    line: str
    secret: str

    def __str__(self) -> str:
        """The line with the secret blanked, so the report does not spread it further."""
        shown = self.line.replace(self.secret, "<SECRET>")
        shown = shown if len(shown) < 300 else shown[:300] + "…"
        return f"{self.kind} in {self.where}: {shown}"


class LogScan:
    """The session's recorder of log lines and of the secrets the run knew."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream = path.open("w", encoding="utf-8")
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setLevel(logging.DEBUG)
        self.handler.setFormatter(JsonFormatter())
        self.secrets: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.token_lengths: set[int] = set()

    def know(self, secret: str | None, kind: str) -> None:
        if not secret or len(secret) < MIN_SECRET or not any(c.isalnum() for c in secret):
            return  # a mask ("••••••••") checked as a password is no secret
        if kind.endswith("token"):
            self.tokens.add(secret)
            self.token_lengths.add(len(secret))
        else:
            self.secrets.setdefault(secret, kind)

    def attach(self, *loggers: str) -> None:
        logging.getLogger().addHandler(self.handler)
        for name in loggers:
            logging.getLogger(name).setLevel(logging.DEBUG)

    def detach(self) -> None:
        logging.getLogger().removeHandler(self.handler)
        self.handler.flush()

    def findings(self, files: Iterable[Path] = ()) -> list[Finding]:
        self.handler.flush()
        found = list(self.scan(_lines(self.path), "the run's log records"))
        for path in files:
            found.extend(self.scan(_lines(path), str(path)))
        return found

    def scan(self, lines: Iterable[str], where: str) -> Iterator[Finding]:
        secrets = sorted(self.secrets.items(), key=lambda item: -len(item[0]))
        for line in lines:
            found = self._found(line, secrets)
            if found:
                yield Finding(found[0], where, line.rstrip("\n"), found[1])

    def _found(self, line: str, secrets: list[tuple[str, str]]) -> tuple[str, str] | None:
        """(what kind of secret, the secret) of the first one in `line`."""
        for run in TOKEN_CHARS.findall(line):
            token = next((w for w in _windows(run, self.token_lengths) if w in self.tokens), "")
            if token:
                return "a token the hub issued", token
        for secret, kind in secrets:
            if secret in line:
                return kind, secret
        for kind, pattern in PATTERNS.items():
            match = pattern.search(line)
            if match:
                return kind, match.group(0)
        return None

    def know_constants(self) -> None:
        """The test modules' own secrets: string constants named for a password, a key or
        a secret (`KEY = "Xq9-inbound-key-7Rt"`, `PASSWORD = "field-pass-1"`)."""
        for name, module in list(sys.modules.items()):
            if not name.startswith("tests.") or module is None:
                continue
            for attribute, value in vars(module).items():
                named = attribute.isupper() and NAMED_SECRET.search(attribute)
                if named and isinstance(value, str):
                    self.know(value, f"{name}.{attribute}")


def _windows(run: str, lengths: set[int]) -> Iterator[str]:
    """Every part of `run` as long as a token, so a token run together with other token
    characters is found too."""
    for length in lengths:
        for start in range(len(run) - length + 1):
            yield run[start : start + length]


def _lines(path: Path) -> Iterator[str]:
    try:
        with path.open(encoding="utf-8", errors="replace") as stream:
            yield from stream
    except OSError:
        return
