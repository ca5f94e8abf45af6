"""Study sizes are counted before anything is expanded: a small file cannot
ask for 10^10 cells, and planning stays linear in ``repeats``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from imdbfast.config import TrainConfig
from imdbfast.experiments import runner
from imdbfast.experiments.runner import plan_runs, run_study
from imdbfast.experiments.study import MAX_CELLS, MAX_RUNS, Study, StudyError

#: 10 axes of 10 values: a 1 KB file asking for 10^10 cells.
HUGE_GRID = "[axes]\n" + "".join(
    f"v{axis} = {{{','.join(f'{i}={{epochs={i + 1}}}' for i in range(10))}}}\n"
    for axis in range(10)
)

#: What the child may map: the expansion used to take ~20 GB.
_ADDRESS_SPACE = 3 << 30

DRY_RUN = textwrap.dedent(
    f"""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({_ADDRESS_SPACE}, {_ADDRESS_SPACE}))
    from imdbfast.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def test_a_huge_grid_is_one_error_line_quickly_with_bounded_memory(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text(HUGE_GRID, encoding="utf-8")
    assert len(HUGE_GRID) < 2048
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", DRY_RUN, "experiment", str(path), "--dry-run"],
        capture_output=True, check=False, text=True, timeout=120,
    )
    seconds = time.perf_counter() - start
    assert done.returncode == 1, (done.stdout, done.stderr[-3000:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imdbfast: error: "), done.stderr
    assert f"at most {MAX_CELLS} cells. Received: 10000000000 cells" in lines[0]
    assert seconds < 60, seconds


def test_grid_size_is_counted_not_built():
    axes = {f"v{a}": {f"l{i}": {"epochs": i + 1} for i in range(10)} for a in range(4)}
    study = Study("four", axes)
    assert study.grid_size == 10_000 == MAX_CELLS
    axes["v4"] = {"a": {"epochs": 1}, "b": {"epochs": 2}}
    with pytest.raises(StudyError, match="at most 10000 cells. Received: 20000 cells"):
        Study("five", axes)
    zipped = Study("zip", {"epochs": [1, 2, 3], "seed": [1, 2, 3]}, mode="zip")
    assert zipped.grid_size == 3


def test_runs_are_counted_with_repeats(tmp_path):
    study = Study("r", {"epochs": [1, 2]})
    with pytest.raises(StudyError, match=f"at most {MAX_RUNS} runs"):
        Study("r", {"epochs": [1, 2]}, repeats=MAX_RUNS)
    with pytest.raises(StudyError, match=f"at most {MAX_RUNS} runs"):
        run_study(study, tmp_path, repeats=MAX_RUNS, train=False, report=False)
    assert not (tmp_path / "r").exists()


def test_a_long_axis_with_repeats_is_checked_in_linear_time():
    values = list(range(1, MAX_CELLS))
    start = time.perf_counter()
    with pytest.raises(StudyError, match="repeated values: 1"):
        Study("long", {"epochs": values + [1]})
    assert time.perf_counter() - start < 30


def test_planning_is_linear_in_repeats(tmp_path, monkeypatch):
    """1,000 repeats used to build each cell's 1,000 configs once per repeat
    (a million configs per cell, 24 s); now one config per run."""
    made = 0
    replace = TrainConfig.replace

    def counting(self, **changes):
        nonlocal made
        made += 1
        return replace(self, **changes)

    study = Study("many", {"epochs": [1, 2]})
    monkeypatch.setattr(TrainConfig, "replace", counting)
    runs = plan_runs(study.cells(), 1000)
    assert len(runs) == 2000 and made <= 2000
    assert [run.config.seed for run in runs[:4]] == [1337, 1337, 1338, 1338]
    made = 0
    start = time.perf_counter()
    results = run_study(study, tmp_path, repeats=1000, train=False, report=False,
                        progress=False)
    assert results.records == [] and not results.complete
    assert made <= 2 * 2000 + 10, made  # the plan, then StudyResults' own
    assert time.perf_counter() - start < 30


def test_finished_runs_are_sorted_by_cell_in_linear_time(tmp_path, monkeypatch):
    """_run_locked groups the finished runs by cell with one pass."""
    study = Study("done", {"epochs": [1, 2]})
    runs = plan_runs(study.cells(), 300)
    directory = tmp_path / "done"
    runner.open_study_dir(directory, study)
    for run in runs:
        runner.append_record(
            directory / runner.RESULTS_FILE,
            {"format": "imdbfast.StudyRun", "study": "done", "key": run.key,
             "test": {"accuracy": 0.5}},
        )
    start = time.perf_counter()
    results = run_study(study, tmp_path, repeats=300, train=False, report=False,
                        progress=False)
    assert len(results.records) == 600 and results.complete
    assert time.perf_counter() - start < 30
