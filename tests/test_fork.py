"""The Rust thread pool works in child processes of any depth and start method.

Each scenario runs in a subprocess with a time limit, so that a hang (a child
waiting on threads that do not exist in it) fails the test instead of the run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

_SCRIPT = textwrap.dedent(
    """
    import multiprocessing, os, sys
    import imdbfast

    TEXTS = ["A fine film, well made.", "Dull and far too long!", "fine fine film"] * 50

    def encode(tok):
        return tok.transform(TEXTS).tolist()

    def fork_and_check(tok, expected, depth):
        # Use the tokenizer in this process, then fork and recurse in the child.
        assert encode(tok) == expected
        if depth == 0:
            return
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                fork_and_check(tok, expected, depth - 1)
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, status

    if __name__ == "__main__":
        mode = sys.argv[1]
        tok = imdbfast.Tokenizer(output_sequence_length=6).fit(TEXTS)
        expected = encode(tok)  # the importing process's pool is running now
        if mode == "nested-fork":
            fork_and_check(tok, expected, depth=3)
        else:
            ctx = multiprocessing.get_context(mode)
            with ctx.Pool(1) as pool:
                assert pool.apply(encode, (tok,)) == expected
                # A pool worker that forks again.
                assert pool.apply(fork_and_check, (tok, expected, 2)) is None
        print("ok")
    """
)


@pytest.mark.parametrize("mode", ["nested-fork", "fork", "spawn", "forkserver"])
def test_parallel_calls_work_after_fork(mode, tmp_path):
    script = tmp_path / "fork_check.py"
    script.write_text(_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
