"""The canned experiments: presets compose and run; results are reproducible; the
committed summaries are what the current code and configs produce.

The last check is made honest and cheap in four parts, for every committed
``results/<name>/summary.md``:

1. the design it was made from (every run's overrides and resolved
   parameters, hashed) equals the design the preset composes today;
2. the analysis code it was made with (syntax trees of the analysis modules,
   hashed) equals today's;
3. one of its runs, re-simulated today, gives the exact values recorded in it
   (so the engine has not changed underneath);
4. where the tidy tables of a ``make experiments`` run are present locally,
   re-analysing them reproduces the committed text byte for byte.

Together with the determinism test (same seeds give the same text on one or
two processes, and re-analysing saved tables gives the same text), a summary
that passes cannot differ from what ``make experiments`` would write now.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from servsim import conf, experiments, replicate
from servsim.experiments import positioning
from servsim.experiments.__main__ import main as experiments_main
from tests.conftest import ROOT

TINY = ["sim.n_customers=200", "sim.days=40", "sim.burn_in_days=10"]
SMALLER = {  # fewer levels of the largest designs, to keep the smoke test quick
    "positioning": ["strategy@market.competitors.small_firms.strategy=lowcost"],
    "recovery": ["strategy.compensation=0.0,0.5"],
    "service_profit_chain": ["strategy.training=0.1,0.9"],
}


def test_every_experiment_has_a_preset_an_analysis_and_a_folder_linking_them():
    for name in experiments.EXPERIMENTS:
        preset = conf.CONFIG_DIR / "experiment" / f"{name}.yaml"
        lines = preset.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "# @package _global_"
        assert lines[1] == f"# servsim -m +experiment={name}"
        folder = ROOT / "experiments" / name
        readme = (folder / "README.md").read_text(encoding="utf-8")
        for heading in ("## Question", "## Design", "## Files", "## How to run"):
            assert heading in readme, (name, heading)
        module = experiments.module(name)
        assert module.__name__ == f"servsim.experiments.{name}"
        assert module.TITLE and module.QUESTION and callable(module.analyze)
        links = {(folder / target).resolve()
                 for target in re.findall(r"\]\(([^)#]+)\)", readme) if "://" not in target}
        assert all(link.exists() for link in links), (name, [str(x) for x in links
                                                             if not x.exists()])
        for pointed in (preset, Path(module.__file__), ROOT / "results" / name / "summary.md"):
            assert pointed.resolve() in links, (name, "README does not link", str(pointed))
        assert f"python -m servsim.experiments {name}" in readme


def test_one_list_of_names_for_folders_runner_make_and_docs(capsys):
    names = list(experiments.EXPERIMENTS)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)  # one naming: module names
    folders = sorted(p.name for p in (ROOT / "experiments").iterdir() if p.is_dir())
    assert folders == sorted(names)
    assert experiments_main(["--list"]) == 0
    assert capsys.readouterr().out.split() == names
    recipe = re.search(r"^experiments:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(),
                       re.M).group(1)
    assert "-m servsim.experiments" in recipe  # make takes the names from the runner
    index = (ROOT / "results" / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| `([a-z_]+)` \(", index, re.M) == names  # the table, in order
    for doc in ("README.md", "docs/cli.md", "results/README.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        for name in names:
            assert f"`{name}`" in text, (doc, name)
            if "_" in name:
                assert name.replace("_", "-") not in text, (doc, "old hyphenated name", name)


def test_all_runs_every_experiment_in_order_into_its_own_directory(monkeypatch, tmp_path,
                                                                    capsys):
    calls = []

    def fake_run(name, overrides, *, out, **kwargs):
        calls.append((name, list(overrides), out, kwargs["seeds"]))
        return Path(out or f"results/{name}") / "summary.md"

    monkeypatch.setattr("servsim.experiments.__main__.run", fake_run)
    assert experiments_main(["all", "sim.days=30", "--seeds", "3", "-o", str(tmp_path)]) == 0
    assert [c[0] for c in calls] == list(experiments.EXPERIMENTS)
    assert all(c[1] == ["sim.days=30"] and c[3] == 3 for c in calls)
    assert [c[2] for c in calls] == [tmp_path / n for n in experiments.EXPERIMENTS]
    calls.clear()
    assert experiments_main(["recovery", "--quiet"]) == 0
    assert calls == [("recovery", [], None, None)]
    for bad in (["nosuch"], ["recovery", "--seeds", "0"], []):
        with pytest.raises(SystemExit) as exit_info:
            experiments_main(bad)
        assert exit_info.value.code == 2
    assert calls == [("recovery", [], None, None)]  # bad input starts nothing
    capsys.readouterr()


def test_default_designs_have_at_least_20_replications():
    for name in experiments.EXPERIMENTS:
        sweep = yaml.safe_load((conf.CONFIG_DIR / "experiment" / f"{name}.yaml").read_text())
        assert sweep["hydra"]["sweeper"]["params"]["seed"] == "range(20)", name


def test_heterogeneity_configs_hold_the_documented_values():
    market = yaml.safe_load((conf.CONFIG_DIR / "market" / "company_a.yaml").read_text())
    for option, h in positioning.HET_VALUE.items():
        data = yaml.safe_load((conf.CONFIG_DIR / "heterogeneity" / f"{option}.yaml").read_text())
        expected = positioning.heterogeneity(h, market["segments"])
        for seg, values in data["market"]["segments"].items():
            for key, value in values.items():
                assert value == pytest.approx(expected[seg][key], rel=1e-5), (option, seg, key)
    # the share-weighted mean value is kept at every level
    shares = {s: v["share"] for s, v in market["segments"].items()}
    means = [sum(shares[s] * v["value"] for s, v in
                 positioning.heterogeneity(h, market["segments"]).items())
             for h in positioning.HET_VALUE.values()]
    assert np.allclose(means, means[0])


def test_recovery_modes_set_the_complaint_process():
    with replicate.Composer() as composer:
        ignore = composer.params(["+recovery=ignore"])
        slow = composer.params(["+recovery=slow"])
        fast = composer.params(["+recovery=fast", "org=pyramid"])
    assert ignore.strategy.complaint_handling == 0.0
    assert slow.org.approval_levels == 3 and slow.org.frontline_authority == 0.2
    assert fast.org.approval_levels == 1 and fast.org.level_delay_days == 0
    assert fast.org.frontline_authority == 0.8
    assert fast.org.control_share == slow.org.control_share  # management style untouched


@pytest.mark.slow
@pytest.mark.parametrize("name", experiments.EXPERIMENTS)
def test_every_experiment_runs_and_writes_its_outputs_at_tiny_size(name, tmp_path):
    out = tmp_path / name
    summary = experiments.run(name, [*TINY, *SMALLER.get(name, [])], seeds=2, n_jobs=1,
                              out=out, progress=False)
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# ") and "## Findings" in text and "**Design.**" in text
    for file in ("runs.parquet", "steps.parquet", "design.json"):
        assert (out / file).is_file()
    figures = [line.split("](")[1].rstrip(")") for line in text.splitlines()
               if line.startswith("![")]
    assert figures and all((out / f).is_file() for f in figures)
    prov = experiments.read_provenance(summary)
    assert prov["experiment"] == name and prov["runs"] >= 4


@pytest.mark.slow
def test_same_seeds_same_summary_on_one_or_two_processes_and_from_saved_tables(tmp_path):
    name = "retention_economics"
    one = experiments.run(name, TINY, seeds=2, n_jobs=1, out=tmp_path / "one", progress=False)
    two = experiments.run(name, TINY, seeds=2, n_jobs=2, out=tmp_path / "two", progress=False)
    text = one.read_text(encoding="utf-8")
    assert text == two.read_text(encoding="utf-8")
    again = experiments.run(name, out=tmp_path / "two", analyze_only=True)
    assert again.read_text(encoding="utf-8") == text


# --------------------------------------------------------------------------- committed summaries


def committed(name: str) -> Path:
    path = ROOT / "results" / name / "summary.md"
    if not path.is_file():
        pytest.skip(f"{path} not committed yet (run make experiments)")
    return path


def stale(name: str, what: str) -> str:
    return (f"results/{name}/summary.md was made with another {what}: regenerate it with "
            f"`make experiments` (or `python -m servsim.experiments {name}`)")


@pytest.mark.parametrize("name", experiments.EXPERIMENTS)
def test_committed_summary_was_made_by_todays_design_and_code(name):
    prov = experiments.read_provenance(committed(name))
    assert prov is not None and prov["experiment"] == name
    assert prov["overrides"] == [], "the committed summary must be the default design"
    assert prov["code"] == experiments.code_fingerprint(name), stale(name, "analysis code")
    jobs = experiments.design_jobs(name)
    assert len(jobs) == prov["runs"]
    assert replicate.design_fingerprint(jobs) == prov["design"], stale(name, "design")


@pytest.mark.slow
@pytest.mark.parametrize("name", experiments.EXPERIMENTS)
def test_committed_summary_check_run_reproduces(name):
    prov = experiments.read_provenance(committed(name))
    check = prov["check"]
    with replicate.Composer() as composer:
        params = composer.params(check["overrides"])
    rows, _, _ = replicate.run_one(params)
    focal = next(r for r in rows if r["is_focal"])
    got = experiments.check_values(focal)
    for key, value in check["focal"].items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9), stale(name, "engine")


@pytest.mark.slow
@pytest.mark.parametrize("name", experiments.EXPERIMENTS)
def test_committed_summary_equals_reanalysis_of_local_tables(name, tmp_path):
    summary = committed(name)
    saved = summary.parent
    if not (saved / "runs.parquet").is_file() or not (saved / experiments.DESIGN_FILE).is_file():
        pytest.skip("no local tables of a make experiments run (they are not committed)")
    design = json.loads((saved / experiments.DESIGN_FILE).read_text(encoding="utf-8"))
    if design["design"] != experiments.read_provenance(summary)["design"]:
        pytest.skip("the local tables are of another design (e.g. a run with --seeds)")
    module = experiments.module(name)
    for file in ("runs.parquet", "steps.parquet", experiments.DESIGN_FILE,
                 *[f"{e}.parquet" for e in getattr(module, "EXTRAS", ())]):
        shutil.copy(saved / file, tmp_path / file)
    again = experiments.run(name, out=tmp_path, analyze_only=True)
    assert again.read_text(encoding="utf-8") == summary.read_text(encoding="utf-8"), \
        stale(name, "analysis or data")
