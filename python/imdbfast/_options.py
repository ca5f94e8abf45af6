"""The option lists and argument checks that the config, models and tokenizer share.

One home for each list: :mod:`imdbfast.config`, :mod:`imdbfast.models` and
:mod:`imdbfast.tokenizer` import them from here. The module imports neither
Keras nor NumPy, so ``TrainConfig`` and the command line parser stay light.

One home, and one wording, for two input checks as well: the texts a
tokenizer, vectorizer or predictor is given (:func:`check_texts`,
:func:`check_texts_shape`, :func:`check_text_items`, :func:`texts_not_iterable`)
and vocabulary lists (:func:`token_list`); and for the cut ``repr`` that error
messages quote (:func:`short_repr`).

Rules the Rust core already enforces (the vocabulary id layout, the vocabulary
orders) are checked by the core; the lists here that the core also parses
(standardize modes, padding sides) are compared with it by the tests.
"""

from __future__ import annotations

import numbers
import pkgutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

T = TypeVar("T")

#: Embedding modes: trained from scratch, frozen GloVe vectors, fine-tuned GloVe.
EMBEDDINGS = ("learned", "glove", "glove-finetune")
#: The embedding modes that start from GloVe vectors.
GLOVE_EMBEDDINGS = ("glove", "glove-finetune")
#: Validation quantities that can pick the best epoch.
MONITORS = ("val_loss", "val_accuracy")
#: Standardization modes of the tokenizer (the Rust core's ``Standardizer``).
STANDARDIZE = (
    "lower_and_strip_punctuation",
    "lower",
    "strip_punctuation",
    "lower_unicode",
    "lower_unicode_and_strip_punctuation",
    None,
)
#: Named split modes of the tokenizer (Keras' two, then Python's ``\b\w+\b``);
#: None, a callable or a compiled ``re.Pattern`` are the other choices.
SPLIT_MODES = ("whitespace", "character", "word")
#: Output modes of the tokenizer (Keras ``TextVectorization``'s).
OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
#: The output modes a model can be trained on: ids, or a bag of n-grams.
TRAIN_OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")
#: Keras' earlier names of two output modes, still accepted.
OUTPUT_MODE_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}
#: Values of ``padding`` and ``truncating``: the start or the end of a sequence.
SIDES = ("pre", "post")
#: How training spreads over devices: one device, or data parallel over every
#: visible accelerator (see :mod:`imdbfast.distribution`).
DISTRIBUTIONS = ("none", "data_parallel")




def _shipped_models() -> tuple[str, ...]:
    # One module per model in imdbfast/models/, named after the model: the
    # names are read from the file names, without importing Keras.
    folder = Path(__file__).with_name("models")
    return tuple(
        sorted(
            module.name
            for module in pkgutil.iter_modules([str(folder)])
            if not module.name.startswith("_")
        )
    )


#: Names of the models that ship with imdbfast (``imdbfast.models.<name>``).
MODELS = _shipped_models()

# Models registered at run time from outside the package.
_added_models: dict[str, None] = {}


def model_names() -> tuple[str, ...]:
    """Names of the shipped models, then those registered at run time."""
    return MODELS + tuple(_added_models)


def add_model_name(name: str) -> None:
    """Makes ``name`` a valid ``model`` (called by ``imdbfast.models.register``)."""
    if name not in MODELS:
        _added_models[name] = None


def remove_model_name(name: str) -> None:
    """Forgets a model name added by :func:`add_model_name` (shipped names stay)."""
    _added_models.pop(name, None)


def describe_choices(choices: Iterable[Any]) -> str:
    """``'one of "a", "b", None'``, for an error message."""
    return "one of " + ", ".join(
        '"' + c + '"' if isinstance(c, str) else repr(c) for c in choices
    )


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> None:
    """Raises a ValueError unless ``value`` is one of ``choices``.

    Args:
        name: the argument's name, for the message.
        value: the value received.
        choices: the allowed values.

    Raises:
        ValueError: if ``value`` is not among ``choices``.
    """
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(
            f"`{name}` must be {describe_choices(choices)}. Received: {name}={value!r}"
        )


def check_side(name: str, value: Any) -> None:
    """Raises a ValueError unless ``value`` is ``"pre"`` or ``"post"``.

    The message is Keras' (and the Rust core's): ``must be "pre" or "post"``.

    Args:
        name: the argument's name (``padding`` or ``truncating``).
        value: the value received.

    Raises:
        ValueError: if ``value`` is not one of :data:`SIDES`.
    """
    if value not in SIDES:
        raise ValueError(
            f'`{name}` must be "{SIDES[0]}" or "{SIDES[1]}". Received: {name}={value!r}'
        )


class KerasValueError(TypeError, ValueError):
    """A value of the wrong type where Keras raises ``ValueError``.

    Both a :class:`TypeError` (what imdbfast raised before for these
    arguments) and a :class:`ValueError` (what ``keras.layers.TextVectorization``
    raises), so code written against either keeps catching it.
    """


@overload
def check_int(
    name: str,
    value: Any,
    *,
    minimum: int,
    maximum: int | None = None,
    optional: Literal[False] = False,
) -> int: ...


@overload
def check_int(
    name: str, value: Any, *, minimum: int, maximum: int | None = None, optional: bool
) -> int | None: ...


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int,
    maximum: int | None = None,
    optional: bool = False,
) -> int | None:
    """Checks an integer argument and returns it as a Python int.

    Python and NumPy integers are accepted; bools are not.

    Args:
        name: the argument's name, for the message.
        value: the value received.
        minimum: the smallest allowed value.
        maximum: the largest allowed value, or None for no bound.
        optional: whether None is allowed (and returned as is).

    Returns:
        ``int(value)``, or None for an optional None.

    Raises:
        TypeError: if ``value`` is not an integer (or None when optional).
        ValueError: if ``value`` is below ``minimum`` or above ``maximum``.
    """
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        expected = f"an int >= {minimum}" + (" or None" if optional else "")
        raise TypeError(f"`{name}` must be {expected}. Received: {name}={value!r}")
    number = int(value)
    if number < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}. Received: {name}={number}")
    if maximum is not None and number > maximum:
        raise ValueError(f"`{name}` must be <= {maximum}. Received: {name}={number}")
    return number


#: The largest ``num_threads`` of any call.
MAX_THREADS = 1024


def check_num_threads(num_threads: Any) -> int | None:
    """Checks a ``num_threads`` argument: an int in [1, MAX_THREADS] or None.

    Args:
        num_threads: the value received.

    Returns:
        The number of threads, or None (the environment's or one per core).

    Raises:
        TypeError: not an int or None.
        ValueError: out of range.
    """
    return check_int("num_threads", num_threads, minimum=1, maximum=MAX_THREADS, optional=True)


def check_rate(name: str, value: Any, *, optional: bool = False) -> None:
    """Raises a ValueError unless ``value`` is a number in [0, 1) (not a bool).

    Args:
        name: the argument's name, for the message.
        value: the value received.
        optional: whether None is allowed.

    Raises:
        ValueError: if ``value`` is not a rate.
    """
    if value is None and optional:
        return
    if isinstance(value, bool) or not (
        isinstance(value, numbers.Real) and 0.0 <= float(value) < 1.0
    ):
        raise ValueError(
            f"`{name}` must be a number in [0, 1). Received: {name}={value!r}"
        )


def with_aliases(
    presets: Mapping[str, T], aliases: Mapping[str, str]
) -> dict[str, T]:
    """The presets by descriptive name, then each alias with its target's value.

    Args:
        presets: the presets by descriptive name.
        aliases: older names -> descriptive names.

    Returns:
        One dict that every name (descriptive or alias) looks up.

    Raises:
        ValueError: if an alias names no preset or hides one.
    """
    table = dict(presets)
    for alias, target in aliases.items():
        if target not in presets or alias in presets:
            raise ValueError(
                "An alias must name a preset and differ from every preset name. "
                f"Received: {alias!r} -> {target!r}"
            )
        table[alias] = presets[target]
    return table


def get_preset(kind: str, name: str, table: Mapping[str, T]) -> T:
    """The entry called ``name`` of a preset table.

    Args:
        kind: what the table holds, for the message (``"preset"``).
        name: the name asked for.
        table: the presets (aliases included, see :func:`with_aliases`).

    Returns:
        The preset's value.

    Raises:
        ValueError: if the name is unknown.
    """
    if not isinstance(name, str) or name not in table:
        raise ValueError(
            f"Unknown {kind}. Expected one of {', '.join(table)}. Received: {name!r}"
        )
    return table[name]


def short_repr(value: Any, width: int, *, big_int_bits: int | None = None) -> str:
    """``repr(value)`` cut to ``width`` characters, for an error message.

    Args:
        value: the value to show.
        width: the most characters returned; a longer ``repr`` is cut and
            ends with ``"..."``.
        big_int_bits: if set, an int of more bits is described by its size
            (``"an integer of 300 bits"``) instead of its digits.

    Returns:
        The text to quote.
    """
    if (
        big_int_bits is not None
        and isinstance(value, int)
        and value.bit_length() > big_int_bits
    ):
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


# ------------------------------------------------------ texts and vocabularies


def check_texts(texts: Any) -> None:
    """Refuses a single text where texts are expected: a ``str`` or ``bytes``
    would be read as its characters.

    Raises:
        TypeError: ``texts`` is a ``str`` or ``bytes``.
    """
    if isinstance(texts, (str, bytes)):
        kind = type(texts).__name__
        raise TypeError(
            f"texts must be an iterable of str, not a single {kind}: wrap it in a "
            f"list. Received: a {kind}"
        )


def check_texts_shape(shape: Sequence[int]) -> None:
    """Refuses an array of texts that is neither 1-D nor one column.

    Args:
        shape: the array's shape.

    Raises:
        ValueError: ``shape`` has other than 1 dimension, or 2 dimensions
            of which the second is not 1.
    """
    if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1):
        return
    raise ValueError(
        "texts must be 1-D, or 2-D with one column. "
        f"Received: an array of shape {tuple(shape)}"
    )


def texts_not_iterable(texts: Any) -> TypeError:
    """The error for texts that are not an iterable (to raise)."""
    return TypeError(
        f"texts must be an iterable of str. Received: {type(texts).__name__}"
    )


def check_text_items(texts: Iterable[Any], start: int = 0) -> None:
    """Raises a TypeError naming the first item of ``texts`` that is not a str.

    Args:
        texts: the texts to check.
        start: the index of the first one in the whole input (a chunk of a
            stream names the index in the stream).

    Raises:
        TypeError: an item is not a str (the Rust binding's wording).
    """
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(
                f"texts must contain only str, but item {start + i} is of type "
                f"{type(text).__name__}"
            )


def token_list(vocabulary: Iterable[Any], *, unordered: bool = False) -> list[str]:
    """The entries of a vocabulary given in id order, checked to be str.

    Args:
        vocabulary: a list, tuple or other iterable of str (a NumPy array is
            turned into a list by the caller).
        unordered: also take a mapping or a set, read in iteration order
            (:func:`imdbfast.load_glove` takes any iterable); otherwise they
            are refused, having no id order.

    Returns:
        The entries, as a new list.

    Raises:
        TypeError: a single ``str`` or ``bytes``, a mapping or set (unless
            ``unordered``), not an iterable, or an entry that is not a str.
    """
    expected = (
        "`vocabulary` must be a sequence of str in id order (a list, tuple or "
        "1-D array)"
    )
    if isinstance(vocabulary, (str, bytes)):
        kind = type(vocabulary).__name__
        raise TypeError(
            f"{expected}, not a single {kind}. Received: {short_repr(vocabulary, 40)}"
        )
    if not unordered and isinstance(vocabulary, (Mapping, set, frozenset)):
        raise TypeError(f"{expected}. Received: {type(vocabulary).__name__}")
    try:
        tokens = list(vocabulary)
    except TypeError:
        raise TypeError(f"{expected}. Received: {type(vocabulary).__name__}") from None
    for i, token in enumerate(tokens):
        if not isinstance(token, str):
            raise TypeError(
                "`vocabulary` must contain only str. "
                f"Received: {type(token).__name__} at index {i}"
            )
    return tokens
