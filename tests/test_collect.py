"""servsim-collect on hand-made sweep directories (no simulation)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from servsim import collect as collect_mod
from servsim import outputs
from servsim.collect import collect, collect_steps, main, parse_override


def make_run(root: Path, job: int, overrides: list[str], *, status: str | None = "ok",
             firms: dict | None = None, error: str | None = None, steps: bool | None = None,
             choices: dict | None = None) -> Path:
    """A run directory as servsim writes one (an ok run has steps.parquet, recorded in its
    summary with size and checksum)."""
    run = root / str(job)
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    (run / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump(
        {"hydra": {"runtime": {"choices": choices or {"market": "company_a",
                                                      "strategy": "premium", "org": "pyramid",
                                                      "stage": "reactive",
                                                      "hydra/launcher": "basic"}}}}))
    if steps or (steps is None and status == "ok"):
        pd.DataFrame({"day": [1, 2], "firm": ["focal", "focal"], "profit": [1.0, 2.0]}).to_parquet(
            run / "steps.parquet", index=False)
        (run / "config.yaml").write_text("sim:\n  days: 2\n")
    if status is not None:
        seed = next((int(o[5:]) for o in overrides if o.startswith("seed=")), job)
        summary = {"status": status, "seed": seed, "servsim_version": "0.1.0",
                   "config_hash": f"h{job}", "overrides": overrides}
        if status == "ok":
            summary.update(focal="focal", days=20, firms=firms or {
                "focal": {"cumulative_profit": 10.0 * job, "final_share": 0.5},
                "rival": {"cumulative_profit": -1.0, "final_share": 0.3},
            }, files=outputs.record_files(run))
        else:
            summary.update(error=error or "RuntimeError: boom", error_type="RuntimeError")
        (run / "summary.json").write_text(json.dumps(summary))
    return run


@pytest.fixture
def sweep(tmp_path):
    root = tmp_path / "sweep"
    make_run(root, 0, ["strategy=premium", "seed=0", "strategy.price=1"], steps=True)
    make_run(root, 1, ["strategy=premium", "seed=1", "strategy.price=1.5"], steps=True)
    make_run(root, 2, ["strategy=lowcost", "seed=0", "strategy.price=2"], status="error",
             error="RuntimeError: injected", choices={"strategy": "lowcost"})
    make_run(root, 10, ["strategy=lowcost", "seed=1", "strategy.price=2"], status=None)
    (root / "multirun.yaml").write_text("hydra: {}\n")
    (root / ".servsim").mkdir()
    (root / ".servsim" / "progress").write_text("")
    return root


def test_collect_makes_one_row_per_run_and_firm(sweep):
    table = collect(sweep)
    assert list(table["run"]) == ["0", "0", "1", "1", "2", "10"]  # numeric job order
    assert list(table["status"]) == ["ok", "ok", "ok", "ok", "error", "missing"]
    assert list(table["firm"][:4]) == ["focal", "rival", "focal", "rival"]
    assert table["firm"][4:].isna().all()
    assert list(table["is_focal"][:4]) == [True, False, True, False]
    assert table.loc[2, "cumulative_profit"] == 10.0
    # swept parameters become typed columns
    assert list(table["strategy.price"]) == [1.0, 1.0, 1.5, 1.5, 2.0, 2.0]
    assert table["strategy.price"].dtype == float
    assert list(table["seed"]) == [0, 0, 1, 1, 0, 1]
    assert list(table["strategy"]) == ["premium"] * 4 + ["lowcost"] * 2
    assert table["market"].iloc[0] == "company_a"
    assert "injected" in table.loc[4, "error"]
    assert "did not finish" in table.loc[5, "error"]
    assert list(table.columns[:4]) == ["run", "job", "status", "error"]


def test_collect_table_round_trips_through_parquet(sweep, tmp_path):
    out = tmp_path / "out.parquet"
    table = collect(sweep)
    table.to_parquet(out, index=False)
    back = pd.read_parquet(out)
    assert back.shape == table.shape


def test_main_writes_atomically_and_prints_counts(sweep, tmp_path, capsys):
    out = tmp_path / "nested" / "table.parquet"
    assert main([str(sweep), "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert str(out) in printed.out
    assert "4 runs (1 error, 1 missing, 2 ok), 6 rows" in printed.out
    assert "2 run(s) not ok" in printed.err
    assert len(pd.read_parquet(out)) == 6
    assert [p.name for p in out.parent.iterdir()] == ["table.parquet"]  # no temp left


def test_main_default_output_and_strict(sweep, capsys):
    assert main([str(sweep)]) == 0
    assert (sweep / collect_mod.DEFAULT_OUTPUT).is_file()
    assert main([str(sweep), "--strict"]) == 1


def test_main_steps(sweep, tmp_path):
    out = tmp_path / "steps.parquet"
    assert main([str(sweep), "-o", str(tmp_path / "t.parquet"), "--steps", str(out)]) == 0
    steps = pd.read_parquet(out)
    assert len(steps) == 4 and list(steps["run"].unique()) == ["0", "1"]
    assert list(steps["strategy.price"].unique()) == [1.0, 1.5]
    pd.testing.assert_frame_equal(steps, collect_steps(sweep))


def test_main_errors(tmp_path, capsys):
    assert main([str(tmp_path / "nope")]) == 2
    assert main([str(tmp_path)]) == 1
    assert "no runs found" in capsys.readouterr().err


def test_collect_a_single_run_dir(sweep):
    table = collect(sweep / "0")
    assert len(table) == 2 and table["run"].iloc[0] == "0"


def test_mixed_type_override_columns_become_strings(tmp_path):
    make_run(tmp_path, 0, ["focal_name=A"])
    make_run(tmp_path, 1, ["focal_name=7"])
    table = collect(tmp_path)
    assert list(table["focal_name"].drop_duplicates()) == ["A", "7"]
    table.to_parquet(tmp_path / "t.parquet")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("strategy=premium", ("strategy", "premium")),
        ("+strategy.price=1.2", ("strategy.price", 1.2)),
        ("++sim.days=30", ("sim.days", 30)),
        ("seed=3", ("seed", 3)),
        ("market.network.kind=small_world", ("market.network.kind", "small_world")),
        ("focal_name=", ("focal_name", None)),
        ("strategy@market.competitors.foreign.strategy=lowcost",
         ("strategy@market.competitors.foreign.strategy", "lowcost")),
        ("x=[1,2]", ("x", "[1,2]")),
    ],
)
def test_parse_override(text, expected):
    assert parse_override(text) == expected


def test_group_choice_at_a_package_is_named_by_the_package(tmp_path):
    make_run(tmp_path, 0, ["strategy@market.competitors.foreign.strategy=lowcost"])
    table = collect(tmp_path)
    assert table["market.competitors.foreign.strategy"].tolist() == ["lowcost", "lowcost"]


# --------------------------------------------------------------------------- damaged, never started


@pytest.mark.parametrize("damage", ["truncate steps", "empty config", "delete steps",
                                    "garble summary", "no checksums"])
def test_a_damaged_run_is_listed_as_damaged_never_ok(sweep, damage, tmp_path, capsys):
    run = sweep / "1"
    if damage == "truncate steps":
        data = (run / "steps.parquet").read_bytes()
        (run / "steps.parquet").write_bytes(data[: len(data) // 2])
    elif damage == "empty config":
        (run / "config.yaml").write_text("")
    elif damage == "delete steps":
        (run / "steps.parquet").unlink()
    elif damage == "garble summary":
        (run / "summary.json").write_text('{"status": "ok", "fir')
    else:  # a summary written by an older servsim, without the files' records
        summary = json.loads((run / "summary.json").read_text())
        del summary["files"]
        (run / "summary.json").write_text(json.dumps(summary))
    table = collect(sweep)
    row = table[table["run"] == "1"]
    assert list(row["status"]) == ["damaged"]
    expected = {"truncate steps": "steps.parquet", "empty config": "config.yaml",
                "delete steps": "steps.parquet", "garble summary": "summary.json",
                "no checksums": "checksum"}[damage]
    assert expected in row["error"].iloc[0]
    # --steps reads only intact runs and never fails on a damaged one
    out = tmp_path / "steps.parquet"
    assert main([str(sweep), "-o", str(tmp_path / "t.parquet"), "--steps", str(out)]) == 0
    assert list(pd.read_parquet(out)["run"].unique()) == ["0"]
    assert "1 damaged" in capsys.readouterr().out
    assert main([str(sweep), "-o", str(tmp_path / "t.parquet"), "--strict"]) == 1


def test_jobs_that_never_started_are_missing(tmp_path, capsys):
    root = tmp_path / "sweep"
    jobs = [[f"strategy={s}", f"seed={i}"] for s in ("premium", "lowcost") for i in range(3)]
    for number in (0, 1, 3):
        make_run(root, number, jobs[number])
    (root / ".servsim").mkdir()
    (root / ".servsim" / "sweep.json").write_text(json.dumps({"total": 6, "jobs": jobs}))
    table = collect(root)
    runs = table.drop_duplicates("run")
    assert list(runs["job"]) == [0, 1, 2, 3, 4, 5]
    assert list(runs["status"]) == ["ok", "ok", "missing", "ok", "missing", "missing"]
    never = runs[runs["status"] == "missing"]
    assert list(never["strategy"]) == ["premium", "lowcost", "lowcost"]
    assert list(never["seed"]) == [2, 1, 2]
    assert never["error"].str.contains("never started").all()
    assert main([str(root), "--strict"]) == 1
    assert "6 runs (3 missing, 3 ok)" in capsys.readouterr().out
