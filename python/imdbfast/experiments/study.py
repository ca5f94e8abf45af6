"""Studies: a base TrainConfig plus axes, expanded into cells of runs.

A :class:`Study` names a starting configuration (a preset and/or fields of
:class:`~imdbfast.config.TrainConfig`) and one or more *axes*. Axes combine as
a grid (every combination) or zipped (the i-th values together). Each
resulting :class:`Cell` runs ``repeats`` times, with seeds ``seed``,
``seed + 1``, ..., ``seed + repeats - 1`` (``seed`` being the cell's own).

An axis is one of:

- a TrainConfig field with a list of values: ``sequence_length = [150, 600]``;
- ``preset`` with a list of preset names: each cell starts from that preset;
- a *variant axis* with any other name, a table of ``label = {field = value,
  ...}`` (a variant may name a ``preset`` too), for cells that change several
  fields at once.

A field's effective value is decided in this order, later winning: the preset
(the cell's, else the study's), the study's ``base`` fields, the overrides the
study runs with (the command-line options), the cell's axis values. One
exception: an override of ``train_size`` caps the axis values of
``train_size`` (``all`` and larger values become the override; cells that end
up identical are run once), so that any study runs quickly on a few hundred
reviews.

Nullable fields take None as JSON ``null`` or as the string ``"none"``;
``train_size`` and ``max_tokens`` also take ``"all"``.

Studies are written in Python or as TOML/JSON files (:func:`load_study`); see
the README for the file format.
"""

from __future__ import annotations

import collections
import dataclasses
import difflib
import hashlib
import itertools
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from imdbfast._files import SMALL_FILE_BYTES, check_nesting, read_json, read_text
from imdbfast.config import PRESETS, TrainConfig, preset_names
from imdbfast.errors import UserError

MODES = ("grid", "zip")
METRICS = ("accuracy", "loss", "precision", "recall", "f1", "average_precision")

# Fields the study runner sets itself: they never appear in a study.
RUNNER_FIELDS = ("output_dir", "run_name", "verbose")
# Fields that do not change a run's result (left out of its identity).
_DISPLAY_FIELDS = RUNNER_FIELDS
# Nullable fields for which "all" also means None.
_ALL_MEANS_NONE = ("train_size", "max_tokens")
_STUDY_KEYS = (
    "name",
    "description",
    "preset",
    "base",
    "mode",
    "repeats",
    "axes",
    "references",
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class StudyError(UserError):
    """An invalid study or study directory; the message names the faulty field.

    A :class:`~imdbfast.errors.UserError` (so a ``ValueError``): the command
    line prints it as one line.
    """


# --- field values ---------------------------------------------------------------

_FIELDS = {f.name: f for f in dataclasses.fields(TrainConfig)}
_TYPE_NAMES = {"str": str, "int": int, "float": float, "bool": bool, "None": type(None)}


def _allowed_types(field: str) -> tuple[type, ...]:
    annotation = _FIELDS[field].type
    names = [part.strip() for part in str(annotation).split("|")]
    return tuple(_TYPE_NAMES[name] for name in names if name in _TYPE_NAMES)


def _type_words(types: tuple[type, ...]) -> str:
    words = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        type(None): "none",
    }
    return " or ".join(words[t] for t in types)


def _unknown_field_message(name: str, what: str) -> str:
    close = difflib.get_close_matches(name, list(_FIELDS), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        f"unknown {what} {name!r}{hint}. Expected a TrainConfig field: "
        f"{', '.join(sorted(set(_FIELDS) - set(RUNNER_FIELDS)))}"
    )


def normalize_value(field: str, value: Any, where: str) -> Any:
    """One study value for a TrainConfig field, type-checked.

    Args:
        field: the TrainConfig field name.
        value: the value as written (``"none"``/``"all"`` may stand for None).
        where: where the value was found, for error messages.

    Returns:
        The value to give TrainConfig (None for ``"none"``/``"all"``).

    Raises:
        StudyError: for an unknown or runner-owned field, or a value of the
            wrong type.
    """
    if field not in _FIELDS:
        raise StudyError(f"{where}: {_unknown_field_message(field, 'field')}")
    if field in RUNNER_FIELDS:
        raise StudyError(
            f"{where}: `{field}` is set by the study runner, not by a study. "
            f"Received: {field}={value!r}"
        )
    allowed = _allowed_types(field)
    none_words = ("none", "all") if field in _ALL_MEANS_NONE else ("none",)
    if type(None) in allowed and isinstance(value, str) and value.lower() in none_words:
        return None
    if isinstance(value, os.PathLike) and str in allowed:
        value = os.fspath(value)
    ok = (
        (value is None and type(None) in allowed)
        or (isinstance(value, bool) and bool in allowed)
        or (
            not isinstance(value, bool)
            and isinstance(value, int)
            and (int in allowed or float in allowed)
        )
        or (isinstance(value, float) and float in allowed)
        or (isinstance(value, str) and str in allowed)
    )
    if not ok:
        raise StudyError(
            f"{where}: `{field}` must be {_type_words(allowed)}. "
            f"Received: {field}={value!r}"
        )
    return value


def value_label(field: str, value: Any) -> str:
    """How a field value is shown in a cell label (None as ``all``/``none``)."""
    if value is None:
        return "all" if field in _ALL_MEANS_NONE else "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_preset(name: Any, where: str) -> str:
    if not isinstance(name, str) or name not in PRESETS:
        raise StudyError(
            f"{where}: unknown preset. Expected one of {', '.join(preset_names())} "
            "(or an alias). "
            f"Received: {name!r}"
        )
    return name


def _fields_table(table: Any, where: str) -> dict[str, Any]:
    if not isinstance(table, Mapping):
        raise StudyError(
            f"{where} must be a table of TrainConfig fields. "
            f"Received: {type(table).__name__}"
        )
    out: dict[str, Any] = {}
    for field, value in table.items():
        if field == "preset":
            out["preset"] = _check_preset(value, f"{where}.preset")
        else:
            out[field] = normalize_value(str(field), value, f"{where}.{field}")
    return out


# --- axes, references, cells ----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Axis:
    """One axis of a study: labelled values, each a set of config fields.

    Attributes:
        name: a TrainConfig field, ``"preset"``, or a variant axis name.
        labels: how each value is shown (and matched by references).
        settings: per value, the fields it sets (``preset`` included).
    """

    name: str
    labels: tuple[str, ...]
    settings: tuple[Mapping[str, Any], ...]

    @property
    def kind(self) -> str:
        """``"field"``, ``"preset"`` or ``"variant"``."""
        if self.name == "preset":
            return "preset"
        return "field" if self.name in _FIELDS else "variant"

    def to_json(self) -> Any:
        """The axis as written in a study file."""
        if self.kind == "field":
            return [s[self.name] for s in self.settings]
        if self.kind == "preset":
            return [s["preset"] for s in self.settings]
        return {label: dict(s) for label, s in zip(self.labels, self.settings)}


def make_axis(name: str, values: Any, where: str = "axes") -> Axis:
    """An :class:`Axis` from its study-file form (see the module docstring).

    Raises:
        StudyError: for an unknown axis or field, a wrong value type or no
            values.
    """
    where = f"{where}.{name}"
    if name in RUNNER_FIELDS:
        normalize_value(name, None, where)  # raises the runner-field error
    if isinstance(values, Mapping):
        if name in _FIELDS or name == "preset":
            raise StudyError(
                f"{where}: a field axis takes a list of values, not a table. "
                f"Received: {dict(values)!r}"
            )
        labels = tuple(str(label) for label in values)
        settings = tuple(
            _fields_table(v, f"{where}.{label}") for label, v in values.items()
        )
    elif isinstance(values, (list, tuple)):
        if name == "preset":
            names = [_check_preset(v, where) for v in values]
            labels, settings = tuple(names), tuple({"preset": n} for n in names)
        elif name in _FIELDS:
            normalized = [normalize_value(name, v, where) for v in values]
            labels = tuple(value_label(name, v) for v in normalized)
            settings = tuple({name: v} for v in normalized)
        else:
            raise StudyError(
                f"{where}: {_unknown_field_message(name, 'axis')}, or 'preset', or a "
                "variant axis written as a table of label = {field = value}"
            )
    else:
        raise StudyError(
            f"{where}: expected a list of values (or a table of variants). "
            f"Received: {values!r}"
        )
    if not labels:
        raise StudyError(f"{where}: the axis has no values (the grid would be empty)")
    return Axis(name, labels, settings)


@dataclasses.dataclass(frozen=True)
class Reference:
    """A published figure to show beside the cells it describes.

    Attributes:
        where: axis name -> value (field axes) or label (preset and variant
            axes); a cell matches when all of them match.
        value: the published figure.
        metric: which test metric it is (``"accuracy"`` by default).
        label: where the figure comes from (printed beside it).
    """

    where: Mapping[str, Any]
    value: float
    metric: str = "accuracy"
    label: str = ""

    def to_json(self) -> dict[str, Any]:
        """The reference as written in a study file."""
        return {
            "where": dict(self.where),
            "value": self.value,
            "metric": self.metric,
            "label": self.label,
        }


def _make_reference(raw: Any, axes: Sequence[Axis], where: str) -> Reference:
    if isinstance(raw, Reference):
        raw = raw.to_json()
    if not isinstance(raw, Mapping):
        raise StudyError(f"{where} must be a table. Received: {raw!r}")
    unknown = sorted(set(raw) - {"where", "value", "metric", "label"})
    if unknown:
        raise StudyError(
            f"{where}: unknown key(s) {', '.join(unknown)}. Expected where, value, "
            "metric, label"
        )
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StudyError(f"{where}.value must be a number. Received: {value!r}")
    metric = raw.get("metric", "accuracy")
    if metric not in METRICS:
        raise StudyError(
            f"{where}.metric must be one of {', '.join(METRICS)}. Received: {metric!r}"
        )
    label = raw.get("label", "")
    if not isinstance(label, str):
        raise StudyError(f"{where}.label must be a string. Received: {label!r}")
    match = raw.get("where", {})
    if not isinstance(match, Mapping) or not match:
        raise StudyError(
            f"{where}.where must be a non-empty table of axis = value. "
            f"Received: {match!r}"
        )
    by_name = {axis.name: axis for axis in axes}
    normalized: dict[str, Any] = {}
    for name, wanted in match.items():
        axis = by_name.get(name)
        if axis is None:
            raise StudyError(
                f"{where}.where: {name!r} is not an axis of the study. Expected one of "
                f"{', '.join(by_name)}"
            )
        if axis.kind == "field":
            wanted = normalize_value(name, wanted, f"{where}.where.{name}")
        elif str(wanted) not in axis.labels:
            raise StudyError(
                f"{where}.where.{name}: {wanted!r} is not a value of the axis. "
                f"Expected one of {', '.join(axis.labels)}"
            )
        normalized[name] = wanted if axis.kind == "field" else str(wanted)
    return Reference(normalized, float(value), metric, label)


def _identity_dict(config: TrainConfig) -> dict[str, Any]:
    data = config.to_dict()
    for name in _DISPLAY_FIELDS:
        data.pop(name, None)
    if not config.uses_glove:
        data.pop("glove_source", None)  # not used by the run
    # Fields added later count only when set, so earlier studies keep their keys.
    for name, default in (("ngrams", None), ("output_mode", "int"), ("nb_scaling", False)):
        if data.get(name) == default:
            data.pop(name, None)
    for name in ("data_source", "glove_source"):
        value = data.get(name)
        if isinstance(value, str) and os.path.exists(value):
            data[name] = os.path.abspath(value)
    return data


def config_key(config: TrainConfig) -> str:
    """A short hash of everything in a config that can change a run's result.

    Output fields (``output_dir``, ``run_name``, ``verbose``) are left out, the
    GloVe source too when the embedding is learned; paths that exist are made
    absolute. The seed is included.
    """
    text = json.dumps(_identity_dict(config), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class Cell:
    """One point of a study: a config that runs with several seeds.

    Attributes:
        index: position in the study (0-based, after expansion).
        label: ``axis=value, ...``.
        values: axis name -> value (field axes) or label (other axes).
        config: the cell's config, with its first seed.
        key: :func:`config_key` of ``config``.
        references: the study's references that match this cell.
    """

    index: int
    label: str
    values: Mapping[str, Any]
    config: TrainConfig
    key: str
    references: tuple[Reference, ...] = ()

    def run_configs(self, repeats: int) -> list[TrainConfig]:
        """The configs of the cell's runs: seeds ``seed .. seed + repeats - 1``."""
        return [self.run_config(i) for i in range(repeats)]

    def run_config(self, repeat: int) -> TrainConfig:
        """The config of the cell's run ``repeat`` (seed ``seed + repeat``)."""
        return self.config.replace(seed=self.config.seed + repeat)


# --- the study -------------------------------------------------------------------

#: The most cells a study may have (counted before any is built).
MAX_CELLS = 10_000
#: The most runs (cells x repeats) a study may plan.
MAX_RUNS = 100_000


def _grid_size(axes: Sequence[Axis], mode: str) -> int:
    """The number of cells of ``axes``: their product (grid) or length (zip)."""
    if mode == "zip":
        return len(axes[0].labels) if axes else 0
    return math.prod(len(axis.labels) for axis in axes)


def _count_words(n: int) -> str:
    return str(n) if n < 10**12 else f"about 10^{len(str(n)) - 1}"


def check_run_count(cells: int, repeats: int, where: str = "study") -> None:
    """Refuses more than :data:`MAX_RUNS` runs (``cells`` x ``repeats``).

    Raises:
        StudyError: for too many runs.
    """
    if cells * repeats > MAX_RUNS:
        raise StudyError(
            f"{where}: a study may plan at most {MAX_RUNS} runs (cells x repeats). "
            f"Received: {_count_words(cells)} cells x {repeats} repeats"
        )



def _base_fields(base: Any, where: str) -> tuple[str | None, dict[str, Any]]:
    if base is None:
        return None, {}
    if isinstance(base, TrainConfig):
        default = TrainConfig()
        fields = {
            k: v
            for k, v in base.to_dict().items()
            if getattr(default, k) != v and k not in RUNNER_FIELDS
        }
        return None, fields
    fields = _fields_table(base, where)
    preset = fields.pop("preset", None)
    return preset, fields


@dataclasses.dataclass(frozen=True, init=False)
class Study:
    """A comparison: a base configuration, axes and a number of seeds per cell.

    Args:
        name: str. The study's name: its directory inside the output directory
            and its identity (a results file of another name is refused).
        axes: mapping of axis name -> values (see the module docstring), or a
            sequence of :class:`Axis`. Order matters: the first axis varies
            slowest.
        base: None, a :class:`TrainConfig` or a dict of its fields (may hold
            ``preset``).
        preset: str or None. The preset every cell starts from (unless a
            ``preset`` axis or variant names another).
        mode: ``"grid"`` (every combination) or ``"zip"`` (i-th values
            together; the axes must have the same length).
        repeats: int. Runs per cell, seeds ``seed + 0 .. seed + repeats - 1``.
        description: str. One line about the study.
        references: published figures: :class:`Reference` objects or dicts
            with ``where``, ``value``, ``metric``, ``label``.

    Raises:
        StudyError: for an invalid study, naming the field; every cell's
            config is checked, so no training starts on a bad study.

    Examples:
        >>> study = Study("seq", base={"epochs": 3},
        ...               axes={"sequence_length": [150, 600]}, repeats=2)
        >>> [cell.label for cell in study.cells()]
        ['sequence_length=150', 'sequence_length=600']
    """

    name: str
    axes: tuple[Axis, ...]
    base: Mapping[str, Any]
    preset: str | None
    mode: str
    repeats: int
    description: str
    references: tuple[Reference, ...]

    def __init__(
        self,
        name: str,
        axes: Mapping[str, Any] | Sequence[Axis],
        *,
        base: Any = None,
        preset: str | None = None,
        mode: str = "grid",
        repeats: int = 1,
        description: str = "",
        references: Iterable[Any] = (),
    ) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise StudyError(
                "study name must be a plain directory name (letters, digits, '.', '_', "
                f"'-'). Received: {name!r}"
            )
        where = f"study {name!r}"
        base_preset, base_fields = _base_fields(base, f"{where}: base")
        if preset is not None and base_preset is not None and preset != base_preset:
            raise StudyError(
                f"{where}: preset given twice ({preset!r} and base.preset "
                f"{base_preset!r})"
            )
        preset = preset if preset is not None else base_preset
        if preset is not None:
            _check_preset(preset, f"{where}: preset")
        if mode not in MODES:
            raise StudyError(
                f"{where}: mode must be 'grid' or 'zip'. Received: {mode!r}"
            )
        if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
            raise StudyError(
                f"{where}: repeats must be an integer >= 1. Received: {repeats!r}"
            )
        if not isinstance(description, str):
            raise StudyError(
                f"{where}: description must be a string. Received: {description!r}"
            )
        if isinstance(axes, Mapping):
            built = tuple(
                make_axis(str(n), v, f"{where}: axes") for n, v in axes.items()
            )
        elif isinstance(axes, (list, tuple)) and all(isinstance(a, Axis) for a in axes):
            built = tuple(axes)
        else:
            raise StudyError(
                f"{where}: axes must be a table of axis name -> values. "
                f"Received: {type(axes).__name__}"
            )
        if not built:
            raise StudyError(f"{where}: axes is empty; expected at least one axis")
        self._check_size(built, mode, repeats, where)
        for axis in built if mode == "grid" else ():
            seen = collections.Counter(axis.labels)
            repeated = sorted(x for x, n in seen.items() if n > 1)
            if repeated:
                raise StudyError(
                    f"{where}: axes.{axis.name}: repeated values: {', '.join(repeated)}"
                )
        if mode == "zip" and len({len(a.labels) for a in built}) > 1:
            lengths = ", ".join(f"{a.name} ({len(a.labels)})" for a in built)
            raise StudyError(
                f"{where}: zipped axes must have the same number of values. "
                f"Received: {lengths}"
            )
        refs = tuple(
            _make_reference(r, built, f"{where}: references[{i}]")
            for i, r in enumerate(references)
        )
        for attr, value in (
            ("name", name),
            ("axes", built),
            ("base", dict(base_fields)),
            ("preset", preset),
            ("mode", mode),
            ("repeats", repeats),
            ("description", description),
            ("references", refs),
        ):
            object.__setattr__(self, attr, value)
        self.cells()  # every cell's config is valid, or StudyError now

    @staticmethod
    def _check_size(axes: Sequence[Axis], mode: str, repeats: int, where: str) -> None:
        """Refuses a study of more than :data:`MAX_CELLS` cells or
        :data:`MAX_RUNS` runs, counted without building a cell."""
        size = _grid_size(axes, mode)
        if size > MAX_CELLS:
            shape = " x ".join(f"{a.name} ({len(a.labels)})" for a in axes[:10])
            shape += " x ..." if len(axes) > 10 else ""
            raise StudyError(
                f"{where}: a study may have at most {MAX_CELLS} cells. Received: "
                f"{_count_words(size)} cells ({mode} of {shape})"
            )
        check_run_count(size, repeats, where)

    # --- expansion -------------------------------------------------------------

    @property
    def grid_size(self) -> int:
        """The number of combinations of the axes (at most :data:`MAX_CELLS`;
        cells that end up identical count once in :meth:`cells`)."""
        return _grid_size(self.axes, self.mode)

    def _combinations(self) -> Iterator[tuple[int, ...]]:
        """The axis value indices of each cell, one at a time."""
        sizes = [range(len(axis.labels)) for axis in self.axes]
        if self.mode == "zip":
            return ((i,) * len(self.axes) for i in sizes[0])
        return itertools.product(*sizes)

    def cells(self, overrides: Mapping[str, Any] | None = None) -> list[Cell]:
        """The study's cells, in order, with their configs checked.

        Args:
            overrides: TrainConfig fields applied to every cell's base (the
                command-line options); an override of ``train_size`` caps the
                axis values of ``train_size`` (see the module docstring).

        Returns:
            The cells; cells whose configs are identical (after capping) appear
            once.

        Raises:
            StudyError: if a cell's config is invalid (naming the cell).
        """
        overrides = dict(overrides or {})
        for field, value in overrides.items():
            overrides[field] = normalize_value(field, value, "overrides")
        cap = overrides.get("train_size")
        cells: list[Cell] = []
        seen: set[str] = set()
        for combination in self._combinations():
            preset = self.preset
            fields: dict[str, Any] = {}
            values: dict[str, Any] = {}
            for axis, i in zip(self.axes, combination):
                setting = dict(axis.settings[i])
                preset = setting.pop("preset", preset)
                fields.update(setting)
                values[axis.name] = (
                    setting[axis.name] if axis.kind == "field" else axis.labels[i]
                )
            if cap is not None and "train_size" in fields:
                size = fields["train_size"]
                fields["train_size"] = cap if size is None else min(size, cap)
                if "train_size" in values:
                    values["train_size"] = fields["train_size"]
            label = ", ".join(
                f"{axis.name}={value_label(axis.name, values[axis.name])}"
                if axis.kind == "field"
                else f"{axis.name}={values[axis.name]}"
                for axis in self.axes
            )
            merged = {**self.base, **overrides, **fields}
            try:
                config = (
                    TrainConfig.preset(preset, **merged)
                    if preset
                    else TrainConfig(**merged)
                )
            except (TypeError, ValueError) as err:
                raise StudyError(f"study {self.name!r}, cell {label}: {err}") from None
            key = config_key(config)
            if key in seen:
                continue
            seen.add(key)
            refs = tuple(
                r
                for r in self.references
                if all(values.get(k) == v for k, v in r.where.items())
            )
            cells.append(Cell(len(cells), label, values, config, key, refs))
        return cells

    def replace(self, **changes: Any) -> Study:
        """A copy with some of the constructor's arguments changed."""
        args = self.to_dict()
        args.update(changes)
        return Study(**args)

    def to_dict(self) -> dict[str, Any]:
        """The study as a JSON-able dict (the study-file form)."""
        return {
            "name": self.name,
            "description": self.description,
            "preset": self.preset,
            "base": dict(self.base),
            "mode": self.mode,
            "repeats": self.repeats,
            "axes": {axis.name: axis.to_json() for axis in self.axes},
            "references": [r.to_json() for r in self.references],
        }


# --- study files -------------------------------------------------------------------


def _read_toml(path: Path) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise StudyError(
                f"{path}: reading TOML on Python 3.10 needs the 'tomli' package "
                "(pip install tomli), or write the study as JSON"
            ) from None
    text = read_text(path, what="study file", max_bytes=SMALL_FILE_BYTES, error=StudyError)
    check_nesting(text, os.fspath(path), what="study file", toml=True, error=StudyError)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise StudyError(f"{path}: not a valid TOML study file ({err})") from None
    except RecursionError:  # a stack already deep when called
        raise StudyError(f"{path}: the study file nests too deeply") from None


def study_from_dict(
    data: Any, *, default_name: str | None = None, where: str = "study"
) -> Study:
    """A :class:`Study` from its study-file form (a parsed TOML/JSON table).

    Args:
        data: the table: ``name``, ``description``, ``preset``, ``base``,
            ``mode``, ``repeats``, ``axes``, ``references``.
        default_name: the name when the table has none (a file's stem).
        where: how to name the source in errors.

    Raises:
        StudyError: for an unknown key or an invalid study.
    """
    if not isinstance(data, Mapping):
        raise StudyError(
            f"{where}: expected a table at the top level. "
            f"Received: {type(data).__name__}"
        )
    unknown = sorted(set(data) - set(_STUDY_KEYS))
    if unknown:
        raise StudyError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}. "
            f"Expected some of: {', '.join(_STUDY_KEYS)}"
        )
    if "axes" not in data:
        raise StudyError(f"{where}: missing 'axes' (expected at least one axis)")
    name = data.get("name", default_name)
    references = data.get("references", [])
    if not isinstance(references, list):
        raise StudyError(
            f"{where}: references must be a list of tables. Received: {references!r}"
        )
    try:
        return Study(
            name,
            data["axes"],
            base=data.get("base"),
            preset=data.get("preset"),
            mode=data.get("mode", "grid"),
            repeats=data.get("repeats", 1),
            description=data.get("description", ""),
            references=references,
        )
    except StudyError as err:
        raise StudyError(f"{where}: {err}") from None


def load_study(path: str | os.PathLike[str]) -> Study:
    """Reads a study file (``.toml`` or ``.json``).

    Args:
        path: the file; its stem is the study's name unless it sets ``name``.

    Returns:
        The :class:`Study`, checked.

    Raises:
        StudyError: if the file is not a regular file of at most 16 MiB of
            UTF-8 text, does not parse, nests more than 64 levels deep, or
            the study is invalid (or too large, see :data:`MAX_RUNS`).
        OSError: if the file cannot be read (a missing file raises
            :class:`~imdbfast.errors.MissingFileError`, also a ValueError).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        data = _read_toml(path)
    elif suffix == ".json":
        data = read_json(path, what="study file", error=StudyError)
    else:
        raise StudyError(
            f"a study file must end in .toml or .json. Received: {os.fspath(path)!r}"
        )
    return study_from_dict(data, default_name=path.stem, where=os.fspath(path))
