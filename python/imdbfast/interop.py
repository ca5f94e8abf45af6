"""A fitted :class:`~imdbfast.Tokenizer` written out for other libraries: a
Hugging Face ``tokenizer.json`` (:func:`save_huggingface`) and a stock
``keras.layers.TextVectorization`` (:func:`text_vectorization`, used by
:meth:`imdbfast.bundle.Bundle.export`).

One home for the mapping: :func:`portable_rules` decides which tokenizer
configurations another library can reproduce *exactly* (same ids for every
text) and turns them into plain rules; the two writers only translate those
rules. Whatever cannot be reproduced exactly raises ``ValueError`` saying
why, never a silently different export:

- Unicode lowercasing (``"lower_unicode..."``): Hugging Face lowercases one
  character at a time, so a final sigma and other context rules differ, and
  ``tf.strings.lower`` is ASCII-only.
- ``split`` other than ``"whitespace"`` (``"word"``, ``"character"``, None, a
  pattern, a callable), a callable ``standardize``, ``ngrams``, the bag
  output modes, stopwords dropped from the texts, ``start_token``,
  ``index_from``, ``oov_token=None``.

The reproduced rules are imdbfast's (and TextVectorization's): HTML line
breaks ``<br>``, ``<br/>``, ``<br />`` (any case, ASCII whitespace before the
``/`` or ``>``) become a space; ASCII ``A``-``Z`` are lowercased (nothing
else); the 32 ASCII punctuation characters are deleted; the text is split on
runs of ``" \\t\\n\\v\\f\\r"`` (no other space splits, not even NBSP).
"""

from __future__ import annotations

import json
import os
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from imdbfast.tokenizer import Tokenizer

__all__ = [
    "ASCII_PUNCTUATION",
    "HTML_BREAK_PATTERN",
    "WHITESPACE_PATTERN",
    "PortableRules",
    "portable_rules",
    "huggingface_json",
    "save_huggingface",
    "text_vectorization",
]

#: The 32 characters ``"lower_and_strip_punctuation"`` deletes (the Rust
#: core's ``ASCII_PUNCTUATION``; a test compares them).
ASCII_PUNCTUATION = string.punctuation
#: An HTML line break as ``strip_html`` finds it, in a syntax both Oniguruma
#: (Hugging Face) and RE2 (TensorFlow) read the same way.
HTML_BREAK_PATTERN = r"<[bB][rR][ \t\n\x0B\f\r]*/?>"
#: The separators of ``split="whitespace"`` (``tf.strings.split``'s).
WHITESPACE_PATTERN = r"[ \t\n\x0B\f\r]+"


@dataclass(frozen=True)
class PortableRules:
    """What a fitted tokenizer does, in terms another library can express.

    Attributes:
        strip_html: replace :data:`HTML_BREAK_PATTERN` matches by a space.
        lowercase: lowercase ASCII ``A``-``Z`` (and nothing else).
        strip_punctuation: delete :data:`ASCII_PUNCTUATION`.
        vocabulary: the tokens in id order (padding first, then OOV).
        pad_token, oov_token: tokens of ids 0 and 1.
        sequence_length: pad/truncate every text to this many ids, or None.
        padding, truncating: ``"post"`` or ``"pre"``.
    """

    strip_html: bool
    lowercase: bool
    strip_punctuation: bool
    vocabulary: list[str]
    pad_token: str
    oov_token: str
    sequence_length: int | None
    padding: str
    truncating: str

    @property
    def standardize(self) -> str | None:
        """The TextVectorization ``standardize`` name of the case and
        punctuation rules (``strip_html`` apart)."""
        names = {
            (True, True): "lower_and_strip_punctuation",
            (True, False): "lower",
            (False, True): "strip_punctuation",
            (False, False): None,
        }
        return names[(self.lowercase, self.strip_punctuation)]


def portable_rules(tokenizer: Tokenizer, target: str) -> PortableRules:
    """The rules of a fitted tokenizer, if ``target`` can reproduce them exactly.

    Args:
        tokenizer: a fitted :class:`imdbfast.Tokenizer`.
        target: the library named in error messages (e.g. ``"Hugging Face"``).

    Returns:
        :class:`PortableRules`.

    Raises:
        ValueError: the tokenizer is not fitted, or its configuration cannot be
            reproduced exactly (the message says which option and why).
    """
    if not tokenizer.is_fitted:
        raise ValueError(
            f"Fit the tokenizer (or give it a vocabulary) before exporting it to "
            f"{target}. Received: an unfitted tokenizer"
        )
    reasons = []
    standardize = tokenizer.standardize
    if callable(standardize):
        reasons.append("a callable `standardize` runs Python code")
    elif standardize is not None and standardize.startswith("lower_unicode"):
        reasons.append(
            f"standardize={standardize!r} lowercases Unicode text the way Python's "
            "str.lower() does (e.g. a final sigma), which other libraries do not "
            "reproduce; use 'lower_and_strip_punctuation' or 'lower' (ASCII)"
        )
    if tokenizer.split != "whitespace":
        reasons.append(
            f"split={tokenizer.split!r}: only 'whitespace' is reproduced exactly"
        )
    if tokenizer.ngrams is not None:
        reasons.append(f"ngrams={tokenizer.ngrams!r}: only single tokens are exported")
    if tokenizer.output_mode != "int":
        reasons.append(
            f"output_mode={tokenizer.output_mode!r}: only 'int' ids are exported"
        )
    if tokenizer.stopwords is not None and tokenizer.drop_stopwords:
        reasons.append(
            "drop_stopwords=True removes stopwords from the texts (with "
            "drop_stopwords=False they encode as the OOV id, which is exported)"
        )
    if tokenizer.start_token is not None:
        reasons.append(f"start_token={tokenizer.start_token!r} is not exported")
    if tokenizer.index_from is not None:
        reasons.append(f"index_from={tokenizer.index_from!r} is not exported")
    if tokenizer.oov_token is None:
        reasons.append("oov_token=None (unknown tokens left out) is not exported")
    if reasons:
        raise ValueError(
            f"This tokenizer cannot be exported to {target} with identical ids: "
            + "; ".join(reasons)
            + "."
        )
    assert tokenizer.oov_token is not None
    assert standardize is None or isinstance(standardize, str)
    return PortableRules(
        strip_html=tokenizer.strip_html,
        lowercase=standardize in ("lower_and_strip_punctuation", "lower"),
        strip_punctuation=standardize
        in ("lower_and_strip_punctuation", "strip_punctuation"),
        vocabulary=tokenizer.get_vocabulary(),
        pad_token=tokenizer.pad_token,
        oov_token=tokenizer.oov_token,
        sequence_length=tokenizer.output_sequence_length,
        padding=tokenizer.padding,
        truncating=tokenizer.truncating,
    )


# ------------------------------------------------------------- Hugging Face


def huggingface_json(tokenizer: Tokenizer) -> dict[str, Any]:
    """The Hugging Face ``tokenizers`` document of a fitted tokenizer.

    A ``WordLevel`` model over the vocabulary (unknown words: the OOV
    token); a normalizer ``Sequence``: the HTML line breaks replaced by a
    space (``strip_html``), 26 ``Replace("A", "a")``... (ASCII lowercasing)
    and one ``Replace`` of the punctuation class by ``""``; a ``Split``
    pre-tokenizer on runs of ASCII whitespace, removed; ``Fixed`` padding and
    truncation to ``output_sequence_length`` on the tokenizer's sides.

    Raises:
        ValueError: see :func:`portable_rules`.
    """
    rules = portable_rules(tokenizer, "Hugging Face tokenizers")
    normalizers: list[dict[str, Any]] = []
    if rules.strip_html:
        normalizers.append(_replace({"Regex": HTML_BREAK_PATTERN}, " "))
    if rules.lowercase:
        normalizers.extend(
            _replace({"String": upper}, upper.lower())
            for upper in string.ascii_uppercase
        )
    if rules.strip_punctuation:
        punctuation = "".join("\\" + c for c in ASCII_PUNCTUATION)
        normalizers.append(_replace({"Regex": f"[{punctuation}]"}, ""))
    vocab = {token: i for i, token in enumerate(rules.vocabulary)}
    if len(vocab) != len(rules.vocabulary):
        raise ValueError(
            "The vocabulary holds a token twice, which a Hugging Face WordLevel "
            "model cannot. Received: "
            f"{len(rules.vocabulary) - len(vocab)} repeated entries"
        )
    padding = truncation = None
    if rules.sequence_length is not None:
        padding = {
            "strategy": {"Fixed": rules.sequence_length},
            "direction": "Left" if rules.padding == "pre" else "Right",
            "pad_to_multiple_of": None,
            "pad_id": 0,
            "pad_type_id": 0,
            "pad_token": rules.pad_token,
        }
        truncation = {
            "direction": "Left" if rules.truncating == "pre" else "Right",
            "max_length": rules.sequence_length,
            "strategy": "LongestFirst",
            "stride": 0,
        }
    return {
        "version": "1.0",
        "truncation": truncation,
        "padding": padding,
        "added_tokens": [],
        "normalizer": {"type": "Sequence", "normalizers": normalizers},
        "pre_tokenizer": {
            "type": "Split",
            "pattern": {"Regex": WHITESPACE_PATTERN},
            "behavior": "Removed",
            "invert": False,
        },
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": rules.oov_token},
    }


def _replace(pattern: dict[str, str], content: str) -> dict[str, Any]:
    return {"type": "Replace", "pattern": pattern, "content": content}


def save_huggingface(tokenizer: Tokenizer, path: str | os.PathLike[str]) -> None:
    """Write :func:`huggingface_json` to ``path`` (UTF-8 JSON), for
    ``tokenizers.Tokenizer.from_file(path)``.

    Raises:
        ValueError: see :func:`portable_rules`.
    """
    document = huggingface_json(tokenizer)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False)
        f.write("\n")


# --------------------------------------------------------------- TensorFlow


def text_vectorization(tokenizer: Tokenizer) -> tuple[Any, PortableRules]:
    """A stock ``keras.layers.TextVectorization`` giving the tokenizer's ids,
    and the ``strip_html`` step it leaves to its caller.

    TextVectorization pads and truncates at the end only; ``strip_html`` is
    not one of its standardizations, so the caller runs
    ``tf.strings.regex_replace(texts, HTML_BREAK_PATTERN, " ")`` first when
    :attr:`PortableRules.strip_html` is set.

    Returns:
        ``(layer, rules)``: the layer and the :class:`PortableRules`.

    Raises:
        ValueError: see :func:`portable_rules`; also ``padding`` or
            ``truncating`` ``"pre"`` with an ``output_sequence_length``, or a
            token that ends in NUL (``"\\x00"``, which the layer cannot hold).
    """
    rules = portable_rules(tokenizer, "keras.layers.TextVectorization")
    cut = [token for token in rules.vocabulary[2:] if token.endswith("\x00")]
    if cut:
        raise ValueError(
            "TextVectorization drops the NUL characters that end a token (NumPy "
            "string arrays strip them), which would change the ids: give the "
            "tokenizer a vocabulary without such tokens. Received: "
            f"{len(cut)} such token(s), e.g. {cut[0]!r}"
        )
    import keras

    if rules.sequence_length is not None and "pre" in (rules.padding, rules.truncating):
        raise ValueError(
            "TextVectorization pads and truncates at the end only. Received: "
            f"padding={rules.padding!r}, truncating={rules.truncating!r}"
        )
    if rules.pad_token != "" or rules.oov_token != "[UNK]":
        raise ValueError(
            "TextVectorization's special tokens are '' (padding) and '[UNK]'. "
            f"Received: pad_token={rules.pad_token!r}, oov_token={rules.oov_token!r}"
        )
    layer = keras.layers.TextVectorization(
        standardize=rules.standardize,
        split="whitespace",
        output_mode="int",
        output_sequence_length=rules.sequence_length,
        vocabulary=rules.vocabulary[2:],
    )
    return layer, rules
