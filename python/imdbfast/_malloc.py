"""Huge pages for the ``imdbfast`` command's memory.

A training process touches about 1.5 GiB: TensorFlow and its graphs, the
reviews, the ids, the allocator pools of the tensors. glibc's ``malloc`` gets
that memory from the kernel 4 KiB at a time, each page faulted in when first
written, so a run's minor page faults are about its peak memory divided by
4 KiB (0.43 M for the ten-epoch default run). With the glibc tunable
``glibc.malloc.hugetlb=1`` (glibc 2.35 and later) ``malloc`` marks its heaps
and large blocks for transparent huge pages, and one fault then maps 2 MiB;
measured in ``benches/README.md``.

glibc reads tunables once, when the process starts, so the ``imdbfast``
command starts itself again with the tunable added to ``GLIBC_TUNABLES``,
before it imports anything heavy (:func:`restart_with_huge_pages`). It does
so only on Linux with glibc 2.35 or later when transparent huge pages are not
switched off, never when ``GLIBC_TUNABLES`` already names the tunable (which
is also how the restarted process knows it is the second one), and not at
all with ``IMDBFAST_HUGE_PAGES=0``. Programs that call :func:`imdbfast.train`
can start Python with ``GLIBC_TUNABLES=glibc.malloc.hugetlb=1`` themselves.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping
from pathlib import Path

#: The glibc tunable that asks malloc for transparent huge pages.
TUNABLE = "glibc.malloc.hugetlb"

#: Where Linux says whether transparent huge pages are on.
THP_MODE = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def huge_pages_environment(environ: Mapping[str, str]) -> dict[str, str] | None:
    """The environment to restart the command in, or None to go on as is.

    Args:
        environ: the current environment.

    Returns:
        ``environ`` with ``glibc.malloc.hugetlb=1`` added to
        ``GLIBC_TUNABLES``, or None when this process already has it, the
        user opted out (``IMDBFAST_HUGE_PAGES=0``), or the platform cannot
        use it (not Linux with glibc >= 2.35, or huge pages switched off).
    """
    tunables = environ.get("GLIBC_TUNABLES", "")
    if environ.get("IMDBFAST_HUGE_PAGES", "1") == "0" or TUNABLE in tunables:
        return None
    if not sys.platform.startswith("linux"):
        return None
    libc, version = platform.libc_ver()
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return None
    if libc != "glibc" or (major, minor) < (2, 35):
        return None
    try:
        if "[never]" in THP_MODE.read_text():
            return None
    except OSError:
        return None
    added = f"{TUNABLE}=1"
    return {**environ, "GLIBC_TUNABLES": f"{tunables}:{added}" if tunables else added}


def restart_with_huge_pages() -> None:
    """Start this command again (same interpreter, options and arguments)
    with huge pages for malloc, if :func:`huge_pages_environment` says so;
    otherwise return. Call it before any heavy import."""
    environ = huge_pages_environment(os.environ)
    if environ is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, environ)
