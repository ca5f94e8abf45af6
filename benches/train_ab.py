"""The training A/B: ``imdbfast train`` against the stock Keras seed-000 pipeline.

Runs both pipelines one after the other on the same data and epochs, each in
its own process under ``/usr/bin/time -v``, and prints one table: wall time,
user and system CPU (with the system share of the CPU), minor page faults,
peak RSS, Keras' ms/step (its per-epoch figure, validation included), the fit
and test-evaluation seconds each pipeline reports, and the test accuracy;
then the imdbfast / stock ratios. Everything each run printed, and a JSON
summary, are kept in ``--logs``.

Usage (from the repository root)::

    python benches/train_ab.py --data ../shared/data/aclImdb_v1_labeled.tar.gz
    python benches/train_ab.py --data ... --epochs 10       # the 10-epoch target
    python benches/train_ab.py --data ... --only imdbfast --env TF_ENABLE_ONEDNN_OPTS=0

``--epochs`` is 1 by default. ``--env KEY=VALUE`` (repeatable) is set for both
runs, e.g. ``TF_ENABLE_ONEDNN_OPTS=0`` for TensorFlow without oneDNN, which
is what it does by default on CPUs without AVX-512 VNNI/BF16 or AMX, or
``PYTHONPATH=DIR`` to time another checkout's ``imdbfast``. The machine's
load average is recorded before and after each run: fault counts and system
CPU depend far less on other work than wall times do.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
STOCK_SCRIPT = HERE / "stock_keras_seed000.py"
TIME = "/usr/bin/time"

# /usr/bin/time -v report line -> key.
_TIME_FIELDS = {
    "User time (seconds)": "user_s",
    "System time (seconds)": "system_s",
    "Elapsed (wall clock) time (h:mm:ss or m:ss)": "wall",
    "Maximum resident set size (kbytes)": "max_rss_kb",
    "Minor (reclaiming a frame) page faults": "minor_faults",
    "Major (requiring I/O) page faults": "major_faults",
    "Voluntary context switches": "voluntary_switches",
    "Involuntary context switches": "involuntary_switches",
}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STEP = re.compile(
    r"^\s*(\d+)/(\d+)\s.*?\s(\d+(?:\.\d+)?)(us|ms|s)/step"
)


def parse_time_report(text: str) -> dict[str, float]:
    """The figures of a ``/usr/bin/time -v`` report.

    Args:
        text: the report.

    Returns:
        ``user_s``, ``system_s``, ``wall_s``, ``max_rss_kb``, ``minor_faults``
        and the other fields of ``_TIME_FIELDS`` that were found.
    """
    out: dict[str, float] = {}
    for line in text.splitlines():
        name, _, value = line.strip().rpartition(": ")
        key = _TIME_FIELDS.get(name)
        if key is None:
            continue
        if key == "wall":
            seconds = 0.0
            for part in value.split(":"):
                seconds = seconds * 60 + float(part)
            out["wall_s"] = seconds
        else:
            out[key] = float(value)
    return out


def keras_ms_per_step(text: str) -> list[float]:
    """Keras' end-of-epoch ms/step figures, one per epoch, from its progress bar.

    Args:
        text: what a ``model.fit`` printed (ANSI codes, carriage returns and
            all).

    Returns:
        The ms/step of each epoch's final progress line (the one carrying the
        validation figures when there are any).
    """
    finals: list[tuple[bool, float]] = []
    for segment in re.split(r"[\r\n\x08]+", _ANSI.sub("", text)):
        match = _STEP.match(segment)
        if not match or match.group(1) != match.group(2):
            continue
        value = float(match.group(3))
        value *= {"us": 1e-3, "ms": 1.0, "s": 1e3}[match.group(4)]
        finals.append(("val_" in segment, value))
    with_validation = [v for has_val, v in finals if has_val]
    return with_validation or [v for _, v in finals]


def last_json_line(text: str) -> dict[str, Any]:
    """The last line of ``text`` that parses as a JSON object ({} if none)."""
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return value
    return {}


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages (empty where unknown)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def run_timed(name: str, command: list[str], env: dict[str, str], logs: Path
              ) -> dict[str, Any]:
    """Runs ``command`` under ``/usr/bin/time -v`` and collects its figures.

    Args:
        name: the pipeline's name (log file prefix).
        command: the command.
        env: its environment.
        logs: where ``<name>.out``, ``<name>.err`` and ``<name>.time`` go.

    Returns:
        The time report's figures plus ``command``, ``returncode``,
        ``load_before``/``load_after``, ``keras_ms_per_step`` and the
        pipeline's own JSON summary (``report``).
    """
    out_path, err_path = logs / f"{name}.out", logs / f"{name}.err"
    time_path = logs / f"{name}.time"
    timed = [TIME, "-v", "-o", os.fspath(time_path), *command]
    use_time = Path(TIME).exists()
    print(f"[{name}] {shlex.join(command)}", file=sys.stderr, flush=True)
    load_before = load_average()
    start = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        process = subprocess.Popen(timed if use_time else command, stdout=out,
                                   stderr=err, env=env, cwd=HERE.parent)
        _, status, rusage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    returncode = os.waitstatus_to_exitcode(status)
    if use_time:
        figures = parse_time_report(time_path.read_text(errors="replace"))
    else:  # the same counters, from the kernel directly
        figures = {
            "user_s": rusage.ru_utime, "system_s": rusage.ru_stime,
            "wall_s": wall, "max_rss_kb": rusage.ru_maxrss,
            "minor_faults": rusage.ru_minflt, "major_faults": rusage.ru_majflt,
        }
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    result: dict[str, Any] = dict(figures)
    result.update(
        command=command,
        returncode=returncode,
        load_before=load_before,
        load_after=load_average(),
        keras_ms_per_step=keras_ms_per_step(stdout + "\n" + stderr),
        report=last_json_line(stdout),
    )
    if returncode != 0:
        print(f"[{name}] exited with {returncode}; see {err_path}", file=sys.stderr)
    return result


def summary_row(name: str, r: dict[str, Any]) -> dict[str, Any]:
    """The table's figures for one run."""
    seconds = r.get("report", {}).get("seconds", {})
    test = r.get("report", {}).get("test", {})
    accuracy = test.get("accuracy") if test else r.get("report", {}).get(
        "test_accuracy")
    cpu = r.get("user_s", 0.0) + r.get("system_s", 0.0)
    steps = r.get("keras_ms_per_step") or []
    return {
        "pipeline": name,
        "wall_s": r.get("wall_s"),
        "user_s": r.get("user_s"),
        "system_s": r.get("system_s"),
        "system_share": r.get("system_s", 0.0) / cpu if cpu else None,
        "minor_faults": r.get("minor_faults"),
        "max_rss_gib": (r["max_rss_kb"] / 2**20) if r.get("max_rss_kb") else None,
        "ms_per_step": sum(steps) / len(steps) if steps else None,
        "fit_s": seconds.get("fit"),
        "evaluate_s": seconds.get("evaluate"),
        "test_accuracy": accuracy,
    }


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "s":
        return f"{value:,.1f} s"
    if kind == "%":
        return f"{100 * value:.0f} %"
    if kind == "n":
        return f"{value / 1e6:,.2f} M"
    if kind == "gib":
        return f"{value:.2f} GiB"
    if kind == "ms":
        return f"{value:,.0f}"
    if kind == "acc":
        return f"{value:.4f}"
    return str(value)


COLUMNS = (
    ("wall_s", "wall", "s"),
    ("user_s", "user CPU", "s"),
    ("system_s", "system CPU", "s"),
    ("system_share", "system share", "%"),
    ("minor_faults", "minor faults", "n"),
    ("max_rss_gib", "peak RSS", "gib"),
    ("ms_per_step", "ms/step", "ms"),
    ("fit_s", "fit", "s"),
    ("evaluate_s", "evaluate", "s"),
    ("test_accuracy", "test accuracy", "acc"),
)


def table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of the runs, with imdbfast / stock ratios if both ran."""
    lines = [
        "| pipeline | " + " | ".join(title for _, title, _ in COLUMNS) + " |",
        "| --- |" + " ---: |" * len(COLUMNS),
    ]
    for row in rows:
        cells = [_fmt(row[key], kind) for key, _, kind in COLUMNS]
        lines.append(f"| {row['pipeline']} | " + " | ".join(cells) + " |")
    by_name = {row["pipeline"]: row for row in rows}
    if "imdbfast" in by_name and "stock" in by_name:
        a, b = by_name["imdbfast"], by_name["stock"]
        cells = []
        for key, _, kind in COLUMNS:
            if kind in ("%", "acc") or not a[key] or not b[key]:
                cells.append("")
            else:
                cells.append(f"{a[key] / b[key]:.2f}")
        lines.append("| imdbfast / stock | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """Where the runs happened."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="the aclImdb .tar.gz")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--only", choices=("imdbfast", "stock"), default=None,
                        help="run one pipeline only")
    parser.add_argument("--stock-first", action="store_true",
                        help="run the stock pipeline first (default: imdbfast)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="environment variable for both runs (repeatable)")
    parser.add_argument("--imdbfast-args", default="",
                        help="extra 'imdbfast train' options, one string")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter for both runs")
    parser.add_argument("--logs", default=None,
                        help="where outputs and summary.json go (default: a new "
                             "temporary directory)")
    args = parser.parse_args(argv)

    data = os.path.abspath(args.data)
    logs = Path(args.logs or tempfile.mkdtemp(prefix="train_ab-"))
    logs.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--env takes KEY=VALUE. Received: {item!r}")
        env[key] = value
    commands = {
        "stock": [args.python, os.fspath(STOCK_SCRIPT), "--data", data,
                  "--epochs", str(args.epochs)],
        "imdbfast": [args.python, "-m", "imdbfast", "train", "--data", data,
                     "--epochs", str(args.epochs),
                     "--output-dir", os.fspath(logs / "runs"),
                     "--run-name", f"ab-{time.strftime('%Y%m%d-%H%M%S')}",
                     "--json", *shlex.split(args.imdbfast_args)],
    }
    order = ["stock", "imdbfast"] if args.stock_first else ["imdbfast", "stock"]
    if args.only:
        order = [args.only]
    if not Path(TIME).exists():
        print(f"{TIME} not found: using the kernel's rusage of each run",
              file=sys.stderr)
    if shutil.which(args.python) is None and not Path(args.python).exists():
        parser.error(f"--python: not found. Received: {args.python!r}")

    results = {name: run_timed(name, commands[name], env, logs) for name in order}
    rows = [summary_row(name, results[name]) for name in order]
    summary = {
        "machine": machine(),
        "epochs": args.epochs,
        "env": args.env,
        "runs": results,
        "rows": rows,
    }
    (logs / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    info = summary["machine"]
    print(f"{info['date']}, {info['cpu']}, {info['cores']} cores, "
          f"{args.epochs} epoch(s), env {args.env or 'as is'}")
    for name in order:
        r = results[name]
        print(f"{name}: load average {r['load_before']} before, "
              f"{r['load_after']} after; exit {r['returncode']}")
    print()
    print(table(rows))
    print(f"\nlogs and summary.json: {logs}")
    return 0 if all(r["returncode"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
