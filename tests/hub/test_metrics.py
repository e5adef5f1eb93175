"""`/metrics` of a served hub: `cp2hub serve --workers 2` in its own process, on SQLite and
PostgreSQL. What both workers counted is summed in one scrape, labels are route templates
and fixed codes, and only the allowed addresses or the token read it. Requests come from
127.0.0.1 and, for an address the hub does not allow, from 127.0.0.2 (loopback too)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict

from cp2desk.sync.client import HubClient
from cp2desk.sync.clock import HybridClock
from cp2desk.sync.protocol import Change
from cp2desk.sync.records import natural_id
from cp2hub import feed, metrics, rules
from cp2hub.cli import main
from cp2hub.push import apply_batch
from cp2hub.sms import SmsFailed
from tests.deploy.test_nginx import NGINX, OPENSSL, proxied, setup  # noqa: F401 (fixtures)
from tests.hub.test_serve import free_port, stop
from tests.sync.invariants import principal_of
from tests.sync.scenario import PASSWORD, build_world
from tests.sync.test_push_batches import mark_change

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")

TOKEN = "scrape-7Hq2-token"
WORKERS = 2


class Served:
    """`cp2hub serve --workers 2` on 127.0.0.1, allowing /metrics to 127.0.0.1 alone."""

    def __init__(self, url: str, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("CP2HUB_")}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        env.update(CP2HUB_MODE="demo", CP2HUB_METRICS_ALLOW="127.0.0.1", CP2HUB_METRICS_TOKEN=TOKEN)
        self.log, self.stream = log, log.open("w")
        command = [sys.executable, "-m", "cp2hub.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(WORKERS), "--database-url", url]
        self.process = subprocess.Popen(command, stdout=self.stream, stderr=self.stream, env=env)

    def __enter__(self) -> Served:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                ready = httpx.get(self.base + "/health/ready", timeout=2).status_code == 200
                if ready and len(self.workers()) == WORKERS:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise AssertionError(f"the hub did not start: {self.log.read_text()}")

    def __exit__(self, *exc) -> None:
        stop(self.process, 30)
        self.stream.close()

    def workers(self) -> list[int]:
        """The worker processes: the serve command's children that run the app."""
        return [pid for pid in _children(self.process.pid) if b"spawn_main" in _command(pid)]

    def counts_folder(self) -> Path:
        return Path(_environment(self.workers()[0])["PROMETHEUS_MULTIPROC_DIR"])


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(p) for p in text]
    return children


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _environment(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
    return {k.decode(): v.decode(errors="replace") for k, _, v in pairs}


def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the sample `name{labels}` (labels in any order), or None."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-zA-Z0-9_:]+)(?:\{(.*)\})? (\S+)", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return None


def live_probes(path: Path) -> float:
    """How many /health/live requests one worker counted in its own file."""
    if not path.exists():
        return 0
    return sum(
        value
        for key, value, *_ in MmapedDict.read_all_values_from_file(str(path))
        if '"/health/live"' in key and "requests_total" in key
    )


def from_address(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


@pytest.fixture
def served(hub_database, tmp_path):
    world = build_world(hub_database)
    with Served(hub_database.url, tmp_path / "serve.log") as hub:
        yield hub, world, hub_database


def test_a_scrape_sums_what_every_worker_counted(served):
    hub, world, db = served
    client = HubClient(hub.base)
    client.login(world.users["manager_alpha"], PASSWORD, "device-a", "metrics test")
    clock = HybridClock()
    dep, sitting = world.deployments["alpha"][1], world.sessions[3]
    older, newer = clock.now(), clock.now()
    applied = mark_change(world, "device-a", dep, sitting, "present", newer)
    lost = mark_change(world, "device-a", dep, sitting, "absent", older)  # older: a conflict
    beta = world.deployments["beta"][2]
    elsewhere = mark_change(world, "device-a", beta, sitting, "present", clock.now())
    elsewhere.row.update(station_id=world.centres["beta"], professional_id=world.officers[beta])
    ahead = mark_change(world, "device-a", world.deployments["alpha"][2], sitting, "late", 0)
    ahead.row["hlc"] = (int(time.time() * 1000) + 3_600_000) << 16
    answers = client.push([applied]).answers + client.push([lost, elsewhere, ahead]).answers
    assert [a.outcome for a in answers] == ["applied", "conflict", "refused", "refused"]
    client.push([applied])  # delivered again: answered as before, not counted again
    page = client.pull(0)
    served_rows = {t.table: len(t.rows) for t in page.tables}
    registered = httpx.post(
        hub.base + "/accounts/register",
        json={"phone": "0799123456", "phone_again": "0799123456"},
        timeout=10,
    )
    assert registered.status_code == 200, registered.text
    device_id = str(uuid.uuid4())
    revoke = httpx.post(f"{hub.base}/admin/devices/{device_id}/revoke", timeout=10)
    assert revoke.status_code == 401
    probes = 0
    folder = hub.counts_folder()
    while probes < 200 and not all(
        live_probes(folder / f"counter_{pid}.db") for pid in hub.workers()
    ):  # each on a new connection, until both workers have answered some
        assert httpx.get(hub.base + "/health/live", timeout=10).status_code == 200
        probes += 1
    assert probes < 200, "one worker answered every request"
    text = httpx.get(hub.base + "/metrics", timeout=10).text

    ready = sample(text, "cp2hub_http_requests_total", method="GET", route="/health/live",
                   status="200")  # fmt: skip
    assert ready == probes
    pushes = dict(method="POST", route="/sync/push", status="200")
    assert sample(text, "cp2hub_http_requests_total", **pushes) == 3
    assert sample(text, "cp2hub_http_request_duration_seconds_count", method="POST",
                  route="/sync/push") == 3  # fmt: skip
    template = dict(method="POST", route="/admin/devices/{device_id}/revoke", status="401")
    assert sample(text, "cp2hub_http_requests_total", **template) == 1
    assert device_id not in text and "0799123456" not in text and "254799123456" not in text
    for outcome in ("applied", "conflict"):
        assert sample(text, "cp2hub_push_changes_total", table="attendance", outcome=outcome) == 1
    assert sample(text, "cp2hub_push_changes_total", table="attendance", outcome="refused") == 2
    assert sample(text, "cp2hub_push_refusals_total", table="attendance", reason="scope") == 1
    assert sample(text, "cp2hub_push_refusals_total", table="attendance", reason="clock") == 1
    assert sample(text, "cp2hub_pull_pages_total") == 1
    for table, count in served_rows.items():
        assert sample(text, "cp2hub_pull_rows_total", table=table) == count
    assert sample(text, "cp2hub_sms_total", backend="outbox", result="sent") == 1
    assert sample(text, "cp2hub_live_connections") == 0
    with db.read() as session:
        assert sample(text, "cp2hub_feed_sequence") == feed.high_water(session) > 0

    hub.__exit__()
    assert not folder.exists()  # the serve command cleaned its counts away


def test_only_the_allowed_address_or_the_token_reads_the_metrics(served):
    hub = served[0]
    url = hub.base + "/metrics"
    assert httpx.get(url, timeout=10).status_code == 200
    with from_address("127.0.0.2") as other:
        refused = other.get(url)
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
        nothing = other.get(hub.base + "/nothing-here")
        assert refused.json()["message"].replace("/metrics", "") == nothing.json()[
            "message"
        ].replace("/nothing-here", "")  # as if nothing were there
        # A header the client writes is not its address: 127.0.0.2 is no trusted proxy.
        assert other.get(url, headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 404
        assert other.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 404
        allowed = other.get(url, headers={"Authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200
        assert allowed.headers["content-type"].startswith("text/plain")
    # From the trusted proxy (127.0.0.1), the client it forwards is the one checked.
    forwarded = httpx.get(url, headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
    assert forwarded.status_code == 404
    assert TOKEN not in hub.log.read_text()


def test_every_rule_function_named_for_a_refusal_reason_exists():
    """A rule renamed would silently count its refusals as `rule`."""
    import importlib
    import pkgutil

    names = set()
    for module in pkgutil.iter_modules(rules.__path__):
        names |= set(vars(importlib.import_module(f"cp2hub.rules.{module.name}")))
    assert set(metrics.RAISED_IN) <= names
    assert set(metrics.RAISED_IN.values()) <= set(metrics.REFUSAL_REASONS)


def test_a_device_cannot_make_a_table_label(hub_database):
    """What a device names as a change's table never becomes a label value."""
    world = build_world(hub_database)
    principal = principal_of(hub_database, natural_id("user", world.users["manager_alpha"]), "d")
    junk = Change(key=str(uuid.uuid4()), table="x" * 40, row={"id": "1"}, fields=[])
    before = metrics.REFUSED.labels("other", "table")._value.get()
    assert apply_batch(hub_database, principal, [junk])[0].outcome == "refused"
    assert metrics.REFUSED.labels("other", "table")._value.get() == before + 1
    assert "x" * 40 not in {s.labels.get("table") for m in metrics.REFUSED.collect()
                            for s in m.samples}  # fmt: skip


@pytest.mark.skipif(NGINX is None or OPENSSL is None, reason="needs nginx and openssl")
def test_the_proxy_never_serves_the_metrics(proxied):  # noqa: F811 (the fixture)
    client = proxied["client"]
    assert client.get("/health/live").status_code == 200
    for path in ("/metrics", "/%6detrics", "/metrics?format=text"):
        assert client.get(path).status_code == 403, path
    hub_log = proxied["hub"].log()
    assert "/metrics" not in hub_log and "etrics" not in hub_log


def test_an_sms_that_cannot_go_is_counted_as_failed():
    class Unreachable:
        def send(self, phone: str, text: str, secret: str | None = None) -> None:
            raise SmsFailed("The SMS provider did not answer.")

    class Counted(metrics.CountedSms, Unreachable):
        backend = "africastalking"

    failed = metrics.SMS.labels("africastalking", "failed")
    before = failed._value.get()
    with pytest.raises(SmsFailed):
        Counted().send("254712345678", "KNEC CP2: hello")
    assert failed._value.get() == before + 1


def test_an_allow_list_entry_that_is_no_address_stops_the_hub(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CP2HUB_METRICS_ALLOW", "127.0.0.1, prometheus.local")
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    assert main(["serve", "--database-url", url]) == 2
    said = capsys.readouterr().err
    assert "CP2HUB_METRICS_ALLOW" in said and "'prometheus.local' is not an address" in said
