"""Instruction counts of the tokenizer's and GloVe's hot paths, for before/after comparisons
of a change that must not slow them (valgrind's callgrind; load-independent, unlike medians).

    python benches/instructions.py prepare DIR            # texts and a GloVe slice into DIR
    python benches/instructions.py measure DIR [TREE ...] # counts for each source tree

Each case runs in a fresh interpreter under ``valgrind --tool=callgrind`` twice: once with
only its set-up (imports, reading the inputs, building the arguments) and once with the
work; the difference is the work's instruction count. One thread (``num_threads=1``) so the
count does not depend on scheduling. A TREE is a source checkout whose ``python/`` (with its
compiled ``_native`` extension) is put first on ``PYTHONPATH``; with none, the installed
package is measured. Inputs: the first 5,000 training reviews (fit) and 5,000 test reviews
(transform) of the labeled archive, and the first 50,000 lines of GloVe 6B 50d.
"""

from __future__ import annotations

import gzip
import os
import pickle
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CASES = {
    "int (fit 5k + transform 5k to 600 ids)": (
        "tok = imdbfast.Tokenizer(max_tokens=20000, output_sequence_length=600, num_threads=1)",
        "tok.fit(train).transform(test)",
    ),
    "bigram int (fit + transform to 600 ids)": (
        "tok = imdbfast.Tokenizer(max_tokens=20000, ngrams=2, output_sequence_length=600,"
        " num_threads=1)",
        "tok.fit(train).transform(test)",
    ),
    "bigram tf-idf (fit + transform, sparse)": (
        "tok = imdbfast.Tokenizer(max_tokens=20000, ngrams=2, output_mode='tf_idf',"
        " sparse=True, num_threads=1)",
        "tok.fit(train).transform(test)",
    ),
    "count (TokenCounts of 5k)": (
        "tok = imdbfast.Tokenizer(num_threads=1)",
        "tok.count(train)",
    ),
    "GloVe parse (50k lines)": (
        # No cache: the parse itself (a tree from before the cache has no such argument).
        "import inspect\n"
        "nocache = {'cache': False} if 'cache' in inspect.signature(imdbfast.load_glove)"
        ".parameters else {}",
        "imdbfast.load_glove(glove, progress=False, num_threads=1, **nocache)",
    ),
}

PROGRAM = """
import pickle, sys
import imdbfast
train, test = pickle.load(open(sys.argv[1], "rb"))
glove = sys.argv[2]
{setup}
if sys.argv[3] == "work":
    {work}
"""


def prepare(folder: Path) -> None:
    """Write the inputs: ``texts.pkl`` (train, test) and ``glove50k.txt``."""
    import imdbfast

    data = Path(os.environ.get("IMDBFAST_TEST_DATA", "../shared/data"))
    folder.mkdir(parents=True, exist_ok=True)
    imdb = imdbfast.load_imdb(
        data / "aclImdb_v1_labeled.tar.gz",
        validation_split=0.0,
        order="sorted",
        progress=False,
    )
    with open(folder / "texts.pkl", "wb") as out:
        pickle.dump((list(imdb.train.texts[:5000]), list(imdb.test.texts[:5000])), out)
    with (
        gzip.open(data / "glove.6B.50d.txt.gz", "rt", encoding="utf-8") as src,
        open(folder / "glove50k.txt", "w", encoding="utf-8") as dst,
    ):
        for number, line in enumerate(src):
            if number == 50_000:
                break
            dst.write(line)


def instructions(program: str, folder: Path, mode: str, tree: str | None) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0", IMDBFAST_MAX_THREADS="1")
    if tree:
        env["PYTHONPATH"] = str(Path(tree) / "python")
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/cg.out",
                sys.executable,
                "-c",
                program,
                str(folder / "texts.pkl"),
                str(folder / "glove50k.txt"),
                mode,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    match = re.search(r"Collected : (\d+)", out.stderr)
    assert match, out.stderr[-2000:]
    return int(match.group(1))


def measure(folder: Path, trees: list[str | None]) -> None:
    print("| case | " + " | ".join(str(t or "installed") for t in trees) + " |")
    print("|---" * (len(trees) + 1) + "|")
    for name, (setup, work) in CASES.items():
        program = PROGRAM.format(setup=setup, work=work)
        counts = []
        for tree in trees:
            base = instructions(program, folder, "setup", tree)
            counts.append(instructions(program, folder, "work", tree) - base)
        cells = [f"{c / 1e6:,.1f} M" for c in counts]
        if len(counts) > 1:
            cells[1:] = [f"{c / 1e6:,.1f} M ({c / counts[0]:.3f}×)" for c in counts[1:]]
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "prepare":
        prepare(folder)
    else:
        measure(folder, sys.argv[3:] or [None])
