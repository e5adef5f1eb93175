"""`python3 -m bench`: runs each script, reads its RESULT lines, never loses one silently."""

from __future__ import annotations

import json
import textwrap

import pytest

import bench.__main__ as runner


@pytest.fixture
def scripts(tmp_path, monkeypatch):
    """A bench folder of fake scripts; returns a function that writes one."""
    monkeypatch.setattr(runner, "BENCH", tmp_path)
    monkeypatch.setenv("CP2HUB_DATABASE_URL", "postgresql+psycopg://someone@somewhere/real")

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
