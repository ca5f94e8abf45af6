"""The ``imdbfast`` command's restart with huge pages for malloc
(``imdbfast._malloc``)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap

import pytest

from imdbfast import _malloc, cli

GLIBC = platform.libc_ver()[0] == "glibc" and sys.platform.startswith("linux")


@pytest.fixture
def thp_on(tmp_path, monkeypatch):
    mode = tmp_path / "enabled"
    mode.write_text("always [madvise] never\n")
    monkeypatch.setattr(_malloc, "THP_MODE", mode)
    monkeypatch.setattr(platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setattr(sys, "platform", "linux")
    return mode


def test_the_tunable_is_added_once(thp_on):
    env = _malloc.huge_pages_environment({"PATH": "/bin"})
    assert env == {"PATH": "/bin", "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}
    # The restarted process has it: no second restart.
    assert _malloc.huge_pages_environment(env) is None
    # Other tunables are kept.
    other = {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2"}
    assert _malloc.huge_pages_environment(other)["GLIBC_TUNABLES"] == (
        "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"
    )
    # The user's own choice wins.
    assert _malloc.huge_pages_environment({"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"}) is None


def test_no_restart_where_it_cannot_help(thp_on, monkeypatch):
    assert _malloc.huge_pages_environment({"IMDBFAST_HUGE_PAGES": "0"}) is None
    thp_on.write_text("always madvise [never]\n")
    assert _malloc.huge_pages_environment({}) is None
    thp_on.unlink()
    assert _malloc.huge_pages_environment({}) is None
    thp_on.write_text("[always] madvise never\n")
    monkeypatch.setattr(platform, "libc_ver", lambda: ("glibc", "2.31"))
    assert _malloc.huge_pages_environment({}) is None
    monkeypatch.setattr(platform, "libc_ver", lambda: ("", ""))
    assert _malloc.huge_pages_environment({}) is None
    monkeypatch.setattr(platform, "libc_ver", lambda: ("glibc", "2.36"))
    monkeypatch.setattr(sys, "platform", "darwin")
    assert _malloc.huge_pages_environment({}) is None


def test_model_commands_restart_and_calls_from_python_do_not(thp_on, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(os, "execve", lambda *a: calls.append(a))
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    monkeypatch.delenv("IMDBFAST_HUGE_PAGES", raising=False)
    missing = str(tmp_path)  # exists, but is no run directory
    monkeypatch.setattr(sys, "argv", ["imdbfast", "evaluate", missing])
    with pytest.raises(SystemExit):
        cli.main()  # the command: restarts (here recorded), then fails on the path
    assert len(calls) == 1
    executable, argv, env = calls[0]
    assert executable == sys.executable and argv == sys.orig_argv
    assert env["GLIBC_TUNABLES"] == "glibc.malloc.hugetlb=1"
    with pytest.raises(SystemExit):
        cli.main(["evaluate", missing])  # a call from Python: no restart
    monkeypatch.setattr(sys, "argv", ["imdbfast", "presets"])
    cli.main()  # not a model command
    assert len(calls) == 1


@pytest.mark.skipif(not GLIBC, reason="glibc on Linux")
def test_the_restarted_process_runs_with_the_tunable():
    code = textwrap.dedent(
        """
        import os
        from imdbfast import _malloc
        print("start", os.environ.get("GLIBC_TUNABLES"), flush=True)
        _malloc.restart_with_huge_pages()
        print("went on", os.environ.get("GLIBC_TUNABLES"))
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "IMDBFAST_HUGE_PAGES")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, check=True
    ).stdout.splitlines()
    if _malloc.huge_pages_environment(env) is None:
        assert out == ["start None", "went on None"]  # huge pages off on this machine
    else:
        assert out == ["start None", "start glibc.malloc.hugetlb=1", "went on glibc.malloc.hugetlb=1"]
