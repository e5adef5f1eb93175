"""Every benchmark in one command: `python3 -m bench [NAME ...]` (or `make bench`).

Runs each `bench/*.py` script (not those starting with `_`) as its own process, one
after another, with a time limit each, echoing its output as it goes; then prints one
table: each figure beside its target, the baseline the script measured in the same run,
and their ratio. NAME picks scripts by file name (`mark_one`, `mark-one` or
`mark_one.py`); `--list` lists them.

Contract with the scripts (bench/README.md): a script prints one line per figure,

    RESULT {"name": ..., "figure": ..., "unit": ..., "target": ..., "ok": ...,
            "what": ..., "baseline": ..., "baseline_unit": ..., "baseline_what": ...,
            "ratio": ..., "skipped": ...}

(`ok` says whether the figure met its target; `skipped` gives the reason instead of a
figure). A script that prints no RESULT line, or runs past its time limit, is shown as
such with its exit status, so it is never silently missing. `python3 -m bench` exits 1
when a benchmark broke or missed its target, 0 otherwise (skipped ones do not count).

PostgreSQL: benchmarks that need it read `CP2HUB_DATABASE_URL` (or, for morning_rush,
`CP2HUB_TEST_DATABASE_URL`). The runner never hands them a database you already have
(seed_national empties the database it is given): with `--postgres URL` (or
`CP2BENCH_POSTGRES_URL`) it creates a scratch database on that server for each script,
passes its URL in both variables, and drops it afterwards. Without it, both variables
are removed from the scripts' environment and they run their SQLite part or report
"skipped: needs PostgreSQL URL".
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_TIMEOUT_S = 900
TIMEOUTS_S = {
    "seed_national": 1800,
    "morning_rush": 1800,
    "metrics_cost": 1800,
    "update_size": 1800,
    "payment_batch": 1800,
}  # the long ones
PREFIX = "RESULT "
DATABASE_VARIABLES = ("CP2HUB_DATABASE_URL", "CP2HUB_TEST_DATABASE_URL")


@dataclass
class Outcome:
    script: str
    seconds: float = 0.0
    exit: int | None = None
    timed_out: bool = False
    results: list[dict] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)


def scripts() -> list[str]:
    return sorted(p.stem for p in BENCH.glob("*.py") if not p.name.startswith("_"))


def pick(names: list[str]) -> list[str]:
    known = scripts()
    chosen = []
    for name in names:
        stem = name.removesuffix(".py").replace("-", "_").removeprefix("bench/")
        if stem not in known:
            raise SystemExit(f"bench: no benchmark {name!r}; there are: {', '.join(known)}")
        chosen.append(stem)
    return chosen or known


@contextmanager
def scratch_postgres(base_url: str | None):
    """A new database on the server of `base_url`, dropped afterwards (None: no URL)."""
    if not base_url:
        yield None
        return
    from bench._common import fresh_postgres  # only now: the runner itself stays light

    with fresh_postgres(base_url) as url:
        yield url


def run(script: str, timeout: float, postgres: str | None, echo: bool = True) -> Outcome:
    outcome = Outcome(script)
    env = {k: v for k, v in os.environ.items() if k not in DATABASE_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONUNBUFFERED"] = "1"
    with scratch_postgres(postgres) as database:
        if database:
            env.update(dict.fromkeys(DATABASE_VARIABLES, database))
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(BENCH / f"{script}.py")],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def stop() -> None:
            outcome.timed_out = True
            os.killpg(child.pid, signal.SIGKILL)  # its hub process too

        watchdog = threading.Timer(timeout, stop)
        watchdog.start()
        try:
            assert child.stdout is not None
            for line in child.stdout:
                if line.startswith(PREFIX):
                    try:
                        outcome.results.append(json.loads(line[len(PREFIX) :]))
                        continue
                    except json.JSONDecodeError:
                        pass
                if echo:
                    print(f"  | {line}", end="", flush=True)
                outcome.tail = [*outcome.tail[-4:], line.rstrip()]
            outcome.exit = child.wait()
        finally:
            watchdog.cancel()
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        outcome.seconds = time.perf_counter() - started
    return outcome


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    size = abs(value)
    if size >= 100:
        text = f"{value:,.0f}"
    elif size >= 10:
        text = f"{value:.1f}"
    elif size >= 0.1 or value == 0:
        text = f"{value:.2f}"
    else:
        text = f"{value:.2g}"
    return f"{text} {unit}".strip()


def rows(outcomes: list[Outcome]) -> list[list[str]]:
    table = []
    for o in outcomes:
        if o.timed_out or not o.results:
            why = (
                f"timed out after {o.seconds:.0f} s"
                if o.timed_out
                else f"no RESULT line (exit {o.exit}): {o.tail[-1][:70] if o.tail else ''}"
            )
            table.append([o.script, why, "", "", "", "ERROR" if o.timed_out or o.exit else "?"])
            continue
        for r in o.results:
            name = r.get("name", o.script)
            if r.get("skipped"):
                table.append(
                    [name, f"skipped: {r['skipped']}", str(r.get("target", "")), "", "", "skipped"]
                )
                continue
            unit = r.get("unit", "")
            baseline = _number(r.get("baseline"), r.get("baseline_unit", unit))
            if r.get("baseline_what") and baseline != "-":
                baseline += f" ({r['baseline_what']})"
            ratio = r.get("ratio")
            verdict = "ok" if r.get("ok") else "MISSES"
            if o.exit and r.get("ok"):
                verdict += f" (but exit {o.exit})"
            table.append(
                [
                    name,
                    _number(r.get("figure"), unit),
                    str(r.get("target", "")),
                    baseline,
                    "-" if ratio is None else _number(ratio) + "x",
                    verdict,
                ]
            )
    return table


def render(table: list[list[str]], markdown: bool = False) -> str:
    header = ["benchmark", "figure", "target", "baseline (same run)", "ratio", "verdict"]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in table]
        return "\n".join(lines)
    widths = [max(len(str(row[i])) for row in [header, *table]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("CP2BENCH_POSTGRES_URL"),
        help="a PostgreSQL server to make scratch databases on "
        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help=f"seconds per benchmark "
        f"(default {DEFAULT_TIMEOUT_S}, longer for {', '.join(TIMEOUTS_S)})",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown too")
    parser.add_argument("--quiet", action="store_true", help="do not echo the scripts' output")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(scripts()))
        return 0
    chosen = pick(args.names)
    if not args.postgres:
        print(
            "bench: no --postgres URL: PostgreSQL benchmarks run their SQLite part or skip",
            flush=True,
        )
    outcomes = []
    for script in chosen:
        timeout = args.timeout or TIMEOUTS_S.get(script, DEFAULT_TIMEOUT_S)
        print(f"== {script} (limit {timeout:.0f} s)", flush=True)
        outcome = run(script, timeout, args.postgres, echo=not args.quiet)
        print(
            f"== {script}: {outcome.seconds:.0f} s, exit {outcome.exit}"
            + (" (TIMED OUT)" if outcome.timed_out else ""),
            flush=True,
        )
        outcomes.append(outcome)
    table = rows(outcomes)
    print()
    print(render(table))
    if args.markdown:
        print()
        print(render(table, markdown=True))
    broken = [o for o in outcomes if o.timed_out or not o.results]
    missed = [r for o in outcomes for r in o.results if not r.get("skipped") and not r.get("ok")]
    return 1 if broken or missed else 0


if __name__ == "__main__":
    sys.exit(main())
