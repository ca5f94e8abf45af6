"""Arrow strings in, ragged ids out, on all 50k aclImdb reviews: the texts
as a ``pyarrow`` array (read from its buffers, no Python ``str``) beside the
same texts as a list of str, and beside what Arrow users did before (turn
the array into Python strs, then the list path).

    IMDBFAST_TEST_DATA=/work/shared/data python -m pytest benches/bench_arrow.py \
        --benchmark-enable --benchmark-json=/tmp/bench_arrow.json
    python benches/report.py /tmp/bench_arrow.json

Group "ragged-50k" (TextVectorization defaults, max_tokens=20000, fitted on
the 25k train reviews once): ``transform_ragged`` of a list of str, of a
``ChunkedArray`` (7 chunks), of a ``LargeStringArray``, ``transform_arrow``
(Arrow in, Arrow ``large_list<int32>`` out) and ``to_pylist()`` + list path.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import imdbfast

pa = pytest.importorskip("pyarrow")

sys.path.insert(0, str(Path(__file__).parent))
from bench_tokenizer import TAR, load_texts  # noqa: E402


@pytest.fixture(scope="module")
def data():
    if not TAR.exists():
        pytest.skip(f"real data not found at {TAR}")
    train, all_texts = load_texts()
    tok = imdbfast.Tokenizer(max_tokens=20000).fit(train)
    chunked = pa.chunked_array(
        [all_texts[i : i + 7_500] for i in range(0, len(all_texts), 7_500)]
    )
    large = pa.array(all_texts, pa.large_string())
    expected = tok.transform_ragged(all_texts)
    return tok, all_texts, chunked, large, expected


def check(got, expected):
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.benchmark(group="ragged-50k")
def test_list_of_str(benchmark, data):
    tok, texts, _, _, expected = data
    check(benchmark.pedantic(tok.transform_ragged, args=(texts,), rounds=15, warmup_rounds=1), expected)


@pytest.mark.benchmark(group="ragged-50k")
def test_arrow_chunked(benchmark, data):
    tok, _, chunked, _, expected = data
    check(benchmark.pedantic(tok.transform_ragged, args=(chunked,), rounds=15, warmup_rounds=1), expected)


@pytest.mark.benchmark(group="ragged-50k")
def test_arrow_large_string(benchmark, data):
    tok, _, _, large, expected = data
    check(benchmark.pedantic(tok.transform_ragged, args=(large,), rounds=15, warmup_rounds=1), expected)


@pytest.mark.benchmark(group="ragged-50k")
def test_arrow_in_arrow_out(benchmark, data):
    tok, _, chunked, _, expected = data
    out = benchmark.pedantic(tok.transform_arrow, args=(chunked,), rounds=15, warmup_rounds=1)
    check((out.values.to_numpy(), out.offsets.to_numpy()), expected)


@pytest.mark.benchmark(group="ragged-50k")
def test_arrow_via_pylist(benchmark, data):
    tok, _, chunked, _, expected = data
    got = benchmark.pedantic(
        lambda: tok.transform_ragged(chunked.to_pylist()), rounds=15, warmup_rounds=1
    )
    check(got, expected)
