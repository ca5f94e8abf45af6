"""Print pytest-benchmark medians and each group's ratios to its fastest entry.

    python benches/report.py bench.json [more.json ...]
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict


def seconds(value: float) -> str:
    """A duration in s, ms or us, three significant figures."""
    for unit, scale in (("s", 1.0), ("ms", 1e3), ("us", 1e6)):
        scaled = value * scale
        if scaled >= 1.0 or unit == "us":
            break
    return f"{scaled:.3g} {unit}" if scaled < 100 else f"{scaled:.0f} {unit}"


def main(paths: list[str]) -> None:
    groups: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for b in data["benchmarks"]:
            groups[b["group"] or "-"].append((b["name"], b["stats"]["median"], b["stats"]["rounds"]))
    for group, rows in sorted(groups.items()):
        best = min(m for _, m, _ in rows)
        print(f"\n{group}")
        print("| benchmark | median | rounds | vs fastest |")
        print("|---|---:|---:|---:|")
        for name, median, rounds in sorted(rows, key=lambda r: r[1]):
            print(f"| {name} | {seconds(median)} | {rounds} | {median / best:.1f}x |")


if __name__ == "__main__":
    main(sys.argv[1:])
