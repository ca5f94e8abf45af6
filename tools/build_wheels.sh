#!/usr/bin/env bash
# Build imdbfast's release artifacts on this machine, into OUT_DIR (default dist/):
#
#   bash tools/build_wheels.sh dist/
#
#   * one abi3 wheel for CPython >= 3.10 on any Linux x86_64 with glibc 2.17 or
#     later (manylinux2014: CentOS 7, Ubuntu 14.04, RHEL/Rocky 8, HPC clusters),
#     linked by zig against glibc 2.17's symbols: `maturin build --release --zig
#     --compatibility manylinux2014` (fat LTO, one codegen unit, symbols stripped:
#     the release profile in Cargo.toml);
#   * the source distribution (`maturin sdist`), which builds with a Rust toolchain.
#
# Needs Python >= 3.10 and a Rust toolchain (cargo, with the x86_64-unknown-linux-gnu
# target); maturin and zig come from PyPI (the `maturin` and `ziglang` packages),
# installed into a private virtual environment, build/wheel-tools/, on the first run
# (set WHEEL_TOOLS to use another). Nothing else is downloaded. Check the wheel with
# `python tools/check_wheel.py OUT_DIR/imdbfast-*.whl` (tag and auditwheel policy).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-dist}
TOOLS=${WHEEL_TOOLS:-build/wheel-tools}

if [ ! -x "$TOOLS/bin/maturin" ] || ! "$TOOLS/bin/python" -c 'import ziglang' 2>/dev/null; then
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/python" -m pip install --quiet --upgrade pip
    # The same maturin range as pyproject.toml's build-system; ziglang is zig itself.
    "$TOOLS/bin/python" -m pip install --quiet "maturin>=1.9.4,<2" ziglang
fi
# maturin runs zig as `python3 -m ziglang` when no `zig` is on PATH: the tools' python3.
export PATH="$PWD/$TOOLS/bin:$PATH"

mkdir -p "$OUT"
rm -f "$OUT"/imdbfast-*.whl "$OUT"/imdbfast-*.tar.gz
maturin build --release --zig --compatibility manylinux2014 \
    --interpreter python3 --out "$OUT"
maturin sdist --out "$OUT"
ls -l "$OUT"/imdbfast-*
