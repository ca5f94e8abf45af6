"""A Python regular expression, translated for the Rust engine exactly or not at all.

:class:`imdbfast.Tokenizer` takes a user's token pattern as a compiled
``re.Pattern``; its tokens are ``m.group(0) for m in pattern.finditer(text)``
(empty matches dropped), found by the Rust ``regex`` crate. Both engines
report the leftmost match and prefer alternatives and repetitions in the same
order (leftmost-first), so a pattern means the same to both as long as each
construct does. :func:`to_rust` writes each construct of Python's parse tree
in Rust syntax and refuses, with a ``ValueError``, every construct whose
meaning differs or that Rust lacks:

- ``\\w``, ``\\d``, ``\\s`` (and their negations) become explicit classes of
  the code points Python's ``re`` gives them (Unicode, or ASCII under
  ``re.ASCII``), since Rust's Unicode classes are drawn differently;
- ``.`` is ``[^\\n]`` (any character under ``re.DOTALL``), ``^`` is ``\\A``
  (after each ``\\n`` too under ``re.MULTILINE``), ``\\A``/``\\Z`` are
  ``\\A``/``\\z``;
- groups become non-capturing (the whole match is the token);
- refused: ``re.IGNORECASE`` (Python and Rust fold cases differently),
  ``$`` (Python's also matches before a final newline), ``\\b``/``\\B``
  (except around a run of word characters, ``\\b\\w+\\b``, where they change
  nothing), lookarounds, backreferences, conditionals, atomic groups,
  possessive repeats, bytes patterns.
"""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser
else:  # pragma: no cover - Python 3.10
    import sre_constants as _c
    import sre_parse as _parser

__all__ = ["to_rust", "WORD_RUNS"]

#: What :func:`to_rust` returns for a pattern that is exactly "maximal runs of
#: Python ``\\w`` characters" (``\\w+``, ``\\b\\w+\\b``): the native ``"word"``
#: splitter, which finds the same tokens without a regex.
WORD_RUNS = "word"

_FLAG_BITS = {
    re.IGNORECASE: "re.IGNORECASE",
    re.LOCALE: "re.LOCALE",
}


def _refuse(pattern: re.Pattern[str], why: str) -> ValueError:
    return ValueError(
        f"`split` pattern cannot be run by the Rust regex engine with Python's exact "
        f"meaning: {why}. Received: split=re.compile({pattern.pattern!r}, "
        f"flags={pattern.flags})"
    )


@functools.lru_cache(maxsize=None)
def _category_ranges(name: str, ascii_only: bool) -> tuple[tuple[int, int], ...]:
    """Inclusive code point ranges of Python's ``\\d``, ``\\w`` or ``\\s``."""
    if ascii_only:
        test = re.compile(
            {"digit": r"\d", "word": r"\w", "space": r"\s"}[name], re.ASCII
        ).match
        points = [cp for cp in range(128) if test(chr(cp))]
    elif name == "word":
        from imdbfast import _native

        return tuple(_native.word_char_table())
    else:
        method = str.isdecimal if name == "digit" else str.isspace
        points = [
            cp
            for cp in range(0x110000)
            if not 0xD800 <= cp <= 0xDFFF and method(chr(cp))
        ]
    ranges: list[tuple[int, int]] = []
    for cp in points:
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return tuple(ranges)


def _char(cp: int) -> str:
    return f"\\x{{{cp:X}}}"


_CATEGORIES = {
    _c.CATEGORY_DIGIT: ("digit", False),
    _c.CATEGORY_NOT_DIGIT: ("digit", True),
    _c.CATEGORY_WORD: ("word", False),
    _c.CATEGORY_NOT_WORD: ("word", True),
    _c.CATEGORY_SPACE: ("space", False),
    _c.CATEGORY_NOT_SPACE: ("space", True),
}


def _category(av: Any, flags: int) -> str:
    """A Python category as a Rust class (nested inside another class)."""
    name, negated = _CATEGORIES[av]
    ranges = _category_ranges(name, bool(flags & re.ASCII))
    body = "".join(
        _char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in ranges
    )
    return f"[{'^' if negated else ''}{body}]"


def _is_word_class(item: tuple[Any, Any], flags: int) -> bool:
    op, av = item
    return (
        op is _c.IN
        and len(av) == 1
        and av[0][0] is _c.CATEGORY
        and av[0][1] is _c.CATEGORY_WORD
        and not flags & re.ASCII
    )


def _is_word_run(item: tuple[Any, Any], flags: int) -> bool:
    """A greedy, unbounded repeat (at least once) of Python's Unicode ``\\w``."""
    op, av = item
    if op is not _c.MAX_REPEAT:
        return False
    low, high, sub = av
    return (
        low >= 1
        and high is _c.MAXREPEAT
        and len(sub.data) == 1
        and _is_word_class(sub.data[0], flags)
    )


class _Writer:
    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def items(self, items: list[tuple[Any, Any]], flags: int) -> str:
        return "".join(self.item(op, av, flags) for op, av in items)

    def item(self, op: Any, av: Any, flags: int) -> str:
        if op is _c.LITERAL:
            return _char(av)
        if op is _c.NOT_LITERAL:
            return f"[^{_char(av)}]"
        if op is _c.ANY:
            return "[\\x{0}-\\x{10FFFF}]" if flags & re.DOTALL else "[^\\x{A}]"
        if op is _c.IN:
            return self.klass(av, flags)
        if op is _c.BRANCH:
            return "(?:" + "|".join(self.items(b.data, flags) for b in av[1]) + ")"
        if op is _c.SUBPATTERN:
            _group, add, remove, sub = av
            inner = (flags | add) & ~remove
            self.check_flags(inner)
            return "(?:" + self.items(sub.data, inner) + ")"
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, sub = av
            body = "(?:" + self.items(sub.data, flags) + ")"
            bounds = f"{{{low},}}" if high is _c.MAXREPEAT else f"{{{low},{high}}}"
            return body + bounds + ("?" if op is _c.MIN_REPEAT else "")
        if op is _c.AT:
            if av in (_c.AT_BEGINNING_STRING,) or (
                av is _c.AT_BEGINNING and not flags & re.MULTILINE
            ):
                return "\\A"
            if av is _c.AT_BEGINNING:
                return "(?m:^)"
            if av is _c.AT_END_STRING:
                return "\\z"
            if av is _c.AT_END:
                raise _refuse(
                    self.pattern,
                    "`$` also matches before a final newline in Python (use \\Z)",
                )
            raise _refuse(
                self.pattern,
                "`\\b` and `\\B` follow Python's \\w, which Rust's differs from "
                "(they are only accepted around a run of word characters, \\b\\w+\\b)",
            )
        raise _refuse(self.pattern, f"Rust's regex engine has no equivalent of {op}")

    def klass(self, av: list[tuple[Any, Any]], flags: int) -> str:
        parts = []
        negate = False
        for op, value in av:
            if op is _c.NEGATE:
                negate = True
            elif op is _c.LITERAL:
                parts.append(_char(value))
            elif op is _c.RANGE:
                parts.append(f"{_char(value[0])}-{_char(value[1])}")
            elif op is _c.CATEGORY:
                parts.append(_category(value, flags))
            else:
                raise _refuse(self.pattern, f"unsupported set item {op}")
        if not parts:
            # [^...] of nothing cannot be written; Python has no empty class.
            raise _refuse(self.pattern, "an empty character class")
        return "[" + ("^" if negate else "") + "".join(parts) + "]"

    def check_flags(self, flags: int) -> None:
        for bit, name in _FLAG_BITS.items():
            if flags & bit:
                raise _refuse(
                    self.pattern,
                    f"{name} (Python and Rust fold letter case differently)",
                )


def to_rust(pattern: re.Pattern[str]) -> str:
    """The Rust regex with the exact meaning of ``pattern``, or :data:`WORD_RUNS`.

    Args:
        pattern: a compiled ``str`` pattern.

    Returns:
        Rust ``regex`` syntax whose matches are ``pattern``'s, or
        :data:`WORD_RUNS` for the maximal runs of Python's ``\\w``.

    Raises:
        TypeError: a bytes pattern.
        ValueError: a construct without an exact Rust equivalent (the message
            names it).
    """
    if not isinstance(pattern.pattern, str):
        raise TypeError(
            "`split` must be a str pattern, not a bytes one. "
            f"Received: split={pattern!r}"
        )
    writer = _Writer(pattern)
    flags = pattern.flags
    writer.check_flags(flags)
    parsed = _parser.parse(pattern.pattern, flags)
    state = getattr(parsed, "state", None) or getattr(parsed, "pattern", None)
    flags |= getattr(state, "flags", 0)
    writer.check_flags(flags)
    items: list[Any] = list(parsed.data)
    # A pattern that is one greedy run of \w, with \b on either side or
    # not: every match is a whole run of word characters, and the \b hold
    # at both ends of each, so they change nothing.
    boundary: Any = (_c.AT, _c.AT_BOUNDARY)
    core = items[1:] if items[:1] == [boundary] else items
    core = core[:-1] if len(core) > 1 and core[-1] == boundary else core
    if len(core) == 1 and _is_word_run(core[0], flags):
        if core[0][1][0] == 1:
            return WORD_RUNS
        items = core
    return writer.items(items, flags)
