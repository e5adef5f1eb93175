"""`python3 -m bench`: runs each script, reads its RESULT lines, never loses one silently."""

from __future__ import annotations

import json
import os
import textwrap

import pytest
from sqlalchemy import create_engine, text

import bench.__main__ as runner

PG_SERVER = os.environ.get("CP2HUB_TEST_DATABASE_URL", "")  # read before the fixture hides it


@pytest.fixture
def scripts(tmp_path, monkeypatch):
    """A bench folder of fake scripts; returns a function that writes one."""
    monkeypatch.setattr(runner, "BENCH", tmp_path)
    monkeypatch.setenv("CP2HUB_DATABASE_URL", "postgresql+psycopg://someone@somewhere/real")
    monkeypatch.setenv("CP2HUB_TEST_DATABASE_URL", "postgresql+psycopg://someone@somewhere/test")

    def write(name: str, body: str) -> None:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(body))

    return write


def result(**fields) -> str:
    return f"print('RESULT ' + {json.dumps(json.dumps(fields))})"


def test_figures_beside_targets_baselines_and_ratios(scripts, capsys):
    scripts("fast", f"""
        print("measuring")
        {result(name="fast", figure=2.5, unit="ms", target="< 10 ms", baseline=0.5,
                baseline_what="raw", ratio=5.0, ok=True)}
    """)
    scripts("_helper", "raise SystemExit('helpers are not benchmarks')")
    assert runner.scripts() == ["fast"]
    assert runner.main(["--quiet"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("fast "))
    assert row.split() == ["fast", "2.50", "ms", "<", "10", "ms", "0.50", "ms", "(raw)", "5.00x", "ok"]


def test_a_miss_a_skip_a_silent_script_and_a_hang_are_all_shown(scripts, capsys):
    scripts("slow", f"{result(name='slow', figure=20, unit='ms', target='< 10 ms', ok=False)}\n"
                    "raise SystemExit(1)")
    scripts("pg", f"""
        import os
        assert "CP2HUB_DATABASE_URL" not in os.environ  # never a database the user already has
        assert "CP2HUB_TEST_DATABASE_URL" not in os.environ
        {result(name="pg", target="< 60 s", skipped="needs PostgreSQL URL")}
        raise SystemExit(2)
    """)
    scripts("mute", "print('figures, but no RESULT line')")
    scripts("hangs", "import time\ntime.sleep(60)")
    assert runner.main(["--quiet", "--timeout", "3"]) == 1
    table = capsys.readouterr().out.split("benchmark", 1)[1]
    lines = {line.split()[0]: line for line in table.splitlines()[2:] if line.strip()}
    assert "MISSES" in lines["slow"]
    assert "skipped: needs PostgreSQL URL" in lines["pg"]
    assert "no RESULT line (exit 0): figures, but no RESULT line" in lines["mute"]
    assert "timed out after 3 s" in lines["hangs"]


def test_names_pick_scripts_and_unknown_names_are_refused(scripts):
    scripts("mark_one", "")
    scripts("cold_start", "")
    assert runner.pick(["mark-one", "cold_start.py"]) == ["mark_one", "cold_start"]
    assert runner.pick([]) == ["cold_start", "mark_one"]
    with pytest.raises(SystemExit, match="no benchmark 'nope'"):
        runner.pick(["nope"])


@pytest.mark.postgres
@pytest.mark.skipif(not PG_SERVER, reason="needs CP2HUB_TEST_DATABASE_URL (CI sets it)")
def test_postgres_benchmarks_get_a_scratch_database_dropped_afterwards(scripts):
    server = PG_SERVER
    scripts("pg", f"""
        import os
        from sqlalchemy import create_engine, text
        url = os.environ["CP2HUB_DATABASE_URL"]
        assert url == os.environ["CP2HUB_TEST_DATABASE_URL"]
        engine = create_engine(url)
        with engine.connect() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar()
        print("database", name)
        {result(name="pg", figure=1, unit="s", target="< 2 s", ok=True)}
    """)
    outcome = runner.run("pg", 60, server, echo=False)
    assert outcome.exit == 0 and outcome.results, outcome.tail
    name = outcome.tail[-1].split()[-1]
    assert name.startswith("cp2bench_")
    engine = create_engine(server)
    with engine.connect() as conn:
        left = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        assert left.first() is None
    engine.dispose()
