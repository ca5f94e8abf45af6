"""Check a Linux wheel built by tools/build_wheels.sh before it is published.

    python tools/check_wheel.py dist/imdbfast-*.whl

Checks that the file name carries the abi3 manylinux2014 tags (CPython >= 3.10,
glibc 2.17, x86_64) and that ``auditwheel show`` (the ``auditwheel`` package from
PyPI, on PATH) finds the wheel consistent with the manylinux_2_17_x86_64 policy:
no versioned glibc symbol newer than 2.17 and no shared library outside the
policy's list. Exits 1 with the reason otherwise.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

#: The wheel's python and ABI tags, and its platform tags (in any order).
TAGS = ("cp310", "abi3", {"manylinux2014_x86_64", "manylinux_2_17_x86_64"})
POLICY = "manylinux_2_17_x86_64"


def _tags(tags: tuple[str, str, set[str]]) -> str:
    return "-".join((tags[0], tags[1], ".".join(sorted(tags[2]))))


def check(wheel: Path) -> list[str]:
    """The problems found in ``wheel`` (an empty list when it passes)."""
    problems = []
    match = re.fullmatch(r"imdbfast-[^-]+-([^-]+)-([^-]+)-([^-]+)\.whl", wheel.name)
    tags = match and (match.group(1), match.group(2), set(match.group(3).split(".")))
    if tags != TAGS:
        problems.append(f"expected the tags {_tags(TAGS)}, received the file {wheel.name}")
    shown = subprocess.run(
        ["auditwheel", "show", str(wheel)], capture_output=True, text=True, check=False
    )
    report = " ".join((shown.stdout + shown.stderr).split())
    print(report)
    if shown.returncode != 0:
        problems.append(f"auditwheel show exited with {shown.returncode}")
    if f'consistent with the following platform tag: "{POLICY}"' not in report:
        problems.append(f"auditwheel does not find the wheel consistent with {POLICY}")
    if "external shared libraries are required" in report:
        problems.append("the wheel needs shared libraries outside the policy's list")
    return problems


def main(argv: list[str]) -> int:
    """Check each wheel named in ``argv``; the exit status."""
    if not argv:
        print("usage: python tools/check_wheel.py WHEEL...", file=sys.stderr)
        return 2
    failed = False
    for name in argv:
        problems = check(Path(name))
        for problem in problems:
            print(f"{name}: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{name}: {_tags(TAGS)}, auditwheel policy {POLICY}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
