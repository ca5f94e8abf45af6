"""Length-bucketed batches over pre-encoded, ragged token ids.

Reviews are encoded once (:meth:`imdbfast.Tokenizer.transform_ragged` gives a
flat ``values`` array and ``row_splits``); :class:`BucketedBatches` then cuts
them into batches of reviews of similar length and pads each batch, on the
right, only to its own longest review. On IMDB (median review ~175 tokens,
reviews cut at 600) that is most of the recurrent work saved, and right padding
keeps TensorFlow's cuDNN LSTM kernels usable on a GPU.

Training order (``shuffle=True``), per epoch ``e``:

1. the examples are permuted with ``numpy.random.default_rng([seed, e])``;
2. the permutation is cut into pools of ``pool_batches * batch_size``
   examples, and each pool is sorted by length (stable);
3. each pool is cut into batches, and the order of all batches is permuted
   with the same generator.

Only the last batch of the epoch can be smaller than ``batch_size``, so the
number of batches is ``ceil(n / batch_size)``, and every example is in exactly
one batch per epoch. Orders are a pure function of ``(seed, epoch)``.
Without shuffling (validation, test, prediction) the examples are sorted by
length once, which gives the least padding. Such batches can also be sized by
tokens (``batch_tokens``): a batch of short reviews then holds a multiple of
``batch_size`` rows, as many as fit in the tokens of ``batch_size`` rows of the
longest reviews, so evaluation makes fewer, larger steps at the same peak
memory.

For data-parallel training (``replicas`` > 1) every batch is topped up to a
multiple of the replica count with empty reviews (label 0), and batches carry
sample weights: 1 for the reviews, 0 for the filler
(:mod:`imdbfast.distribution`). The plan, and so the order, is unchanged.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np

from imdbfast._keras import keras
from imdbfast.config import TrainConfig
from imdbfast.distribution import filler_rows

# TensorFlow's process settings lived here before imdbfast.runtime; importable
# from here still.
from imdbfast.runtime import (  # noqa: F401
    configure_tensorflow,
    model_step,
    use_tf_cpu_bfc_allocator,
    use_tf_intra_op_threads,
)


def default_length_multiple(backend: str | None = None) -> int:
    """Padded lengths are rounded up to a multiple of this by default.

    JAX compiles one program per input shape, so on JAX lengths are rounded to
    multiples of 32 (at most ~20 shapes for 600-token reviews); elsewhere 8.
    """
    backend = backend or keras.backend.backend()
    return 32 if backend == "jax" else 8


class BucketedBatches(keras.utils.PyDataset):
    """A :class:`keras.utils.PyDataset` of length-bucketed, right-padded batches.

    Args:
        values: 1-D int array. All token ids, review after review.
        row_splits: 1-D int array of ``n + 1`` offsets: review ``i`` is
            ``values[row_splits[i]:row_splits[i + 1]]``.
        labels: array of ``n`` labels or None (then batches are inputs only).
        batch_size: int. Examples per batch.
        shuffle: bool. Reshuffle every epoch (training) or sort by length
            once (evaluation, prediction).
        seed: int. Seeds the per-epoch order.
        pool_batches: int. Batches per sorting pool when shuffling: larger means
            less padding, smaller means more varied batches.
        fixed_length: int or None. Pad every batch to exactly this length
            (longer reviews are cut), for models with a fixed input length.
        length_multiple: int or None. Round padded lengths up to a multiple of
            this (None = :func:`default_length_multiple`); a batch of empty
            reviews counts as length 1.
        empty_id: int or None. Id given to a review with no tokens as its one
            token (the OOV id, 1, by default): a fully masked row would make
            cuDNN fail. None leaves such rows all padding.
        batch_tokens: int or None. Unshuffled batches only: each batch holds
            ``m * batch_size`` rows (the last one fewer), with ``m`` the
            largest whole number for which rows times the padded length stay
            within ``batch_tokens`` (at least ``m = 1``). None: ``batch_size``
            rows each.
        replicas: int. Top every batch up to a multiple of this many rows
            with empty reviews (label 0); when above 1, labelled batches are
            ``(x, y, sample_weight)`` with weight 0 for the filler rows and
            1 for the others.
        **kwargs: ``workers``, ``use_multiprocessing``, ``max_queue_size``.

    Raises:
        ValueError: if the arrays are inconsistent.
    """

    def __init__(
        self,
        values: Any,
        row_splits: Any,
        labels: Any = None,
        *,
        batch_size: int = 32,
        shuffle: bool = False,
        seed: int = 1337,
        pool_batches: int = 100,
        fixed_length: int | None = None,
        length_multiple: int | None = None,
        empty_id: int | None = 1,
        batch_tokens: int | None = None,
        replicas: int = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.values = np.asarray(values)
        self.row_splits = np.asarray(row_splits, dtype=np.int64)
        if self.values.ndim != 1:
            raise ValueError(
                f"`values` must be 1-D. Received: shape {self.values.shape}"
            )
        if (
            self.row_splits.ndim != 1
            or len(self.row_splits) < 1
            or self.row_splits[0] != 0
            or self.row_splits[-1] != len(self.values)
            or np.any(np.diff(self.row_splits) < 0)
        ):
            raise ValueError(
                "`row_splits` must be non-decreasing offsets from 0 to "
                f"len(values)={len(self.values)}. "
                f"Received: {self.row_splits[:5]}... (length {len(self.row_splits)})"
            )
        self.lengths = np.diff(self.row_splits)
        n = len(self.lengths)
        if labels is not None:
            labels = np.asarray(labels)
            if labels.shape[:1] != (n,):
                raise ValueError(
                    f"`labels` must have one entry per review ({n}). "
                    f"Received: shape {labels.shape}"
                )
            labels = labels.astype("float32")
        self.labels = labels
        for name, value in (
            ("batch_size", batch_size),
            ("pool_batches", pool_batches),
            ("batch_tokens", 1 if batch_tokens is None else batch_tokens),
            ("replicas", replicas),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"`{name}` must be a positive int. Received: {name}={value!r}"
                )
        if batch_tokens is not None and shuffle:
            raise ValueError(
                "`batch_tokens` sizes unshuffled batches only. "
                f"Received: batch_tokens={batch_tokens} with shuffle=True"
            )
        if n == 0:
            raise ValueError("Cannot batch zero reviews.")
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.pool_batches = pool_batches
        self.fixed_length = fixed_length
        self.length_multiple = (
            default_length_multiple() if length_multiple is None else length_multiple
        )
        self.empty_id = empty_id
        self.batch_tokens = batch_tokens
        self.replicas = replicas
        self._epoch = 0
        self._served = 0  # batches served since the order last advanced
        self._plan_epoch: int | None = None
        self._plan: list[np.ndarray] = []

    @classmethod
    def from_ragged(
        cls, ragged: tuple[Any, Any], labels: Any = None, **kwargs: Any
    ) -> BucketedBatches:
        """Builds from ``Tokenizer.transform_ragged``'s ``(values, row_splits)``."""
        values, row_splits = ragged
        return cls(values, row_splits, labels, **kwargs)

    # --- PyDataset protocol --------------------------------------------------

    def __len__(self) -> int:
        if self.batch_tokens is not None:
            return len(self.batch_indices())
        return math.ceil(len(self.lengths) / self.batch_size)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self):
            raise IndexError(
                f"batch index out of range [0, {len(self)}). Received: {index}"
            )
        rows = self.batch_indices(self._epoch)[index]
        self._served += 1
        return self.batch(rows)

    def on_epoch_end(self) -> None:
        """Advances to the next epoch's order (called by Keras) once every
        batch of the current one has been served.

        A pass cut short does not count: the JAX and PyTorch trainers read one
        batch to build the model and then end that "epoch", and with
        ``steps_per_epoch`` a pass over the data spans several Keras epochs.
        """
        if self._served >= len(self):
            self._epoch += 1
            self._served = 0

    # --- orders ------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The epoch whose order ``__getitem__`` currently serves."""
        return self._epoch

    def epoch_callback(self) -> keras.callbacks.Callback:
        """A callback that points these batches at Keras' epoch when it begins.

        The pipeline of :meth:`as_tf_dataset` counts passes to know the
        epoch, and a pass that Keras starts without finishing (a
        ``tf.distribute`` strategy reads a few batches ahead when it
        distributes the dataset) would shift every later epoch's order;
        with this callback in ``fit``, epoch ``e`` is always served order
        ``e``.
        """
        batches = self

        class _Epoch(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
                batches._epoch = epoch
                batches._served = 0

        return _Epoch()

    def batch_indices(self, epoch: int | None = None) -> list[np.ndarray]:
        """The example indices of every batch of ``epoch`` (default: current)."""
        epoch = self._epoch if epoch is None else epoch
        if not self.shuffle:
            epoch = 0
        if self._plan_epoch != epoch:
            self._plan = self._make_plan(epoch)
            self._plan_epoch = epoch
        return self._plan

    def _make_plan(self, epoch: int) -> list[np.ndarray]:
        n = len(self.lengths)
        bs = self.batch_size
        if not self.shuffle:
            order = np.argsort(self.lengths, kind="stable")
            if self.batch_tokens is not None:
                return self._cut_by_tokens(order, self.batch_tokens)
            return [order[i : i + bs] for i in range(0, n, bs)]
        rng = np.random.default_rng([self.seed, epoch])
        order = rng.permutation(n)
        pool = bs * self.pool_batches
        batches: list[np.ndarray] = []
        for start in range(0, n, pool):
            chunk = order[start : start + pool]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches.extend(chunk[i : i + bs] for i in range(0, len(chunk), bs))
        # Keep the one short batch (if any) but give it a random place.
        return [batches[i] for i in rng.permutation(len(batches))]

    def _cut_by_tokens(self, order: np.ndarray, budget: int) -> list[np.ndarray]:
        """Cuts length-sorted ``order`` into batches of ``m * batch_size``
        rows within ``budget`` tokens (see ``batch_tokens``)."""
        n, bs = len(order), self.batch_size
        if self.fixed_length is not None:
            widths = np.full(n, self.fixed_length, dtype=np.int64)
        else:
            m = self.length_multiple
            widths = -(-np.maximum(self.lengths[order], 1) // m) * m

        def tokens(start: int, rows: int) -> int:
            # Widths grow along ``order``: a batch is as wide as its last row.
            rows = min(rows, n - start)
            return rows * int(widths[start + rows - 1])

        batches = []
        start = 0
        while start < n:
            multiple = max(1, budget // tokens(start, bs))
            while multiple > 1 and tokens(start, multiple * bs) > budget:
                multiple -= 1
            batches.append(order[start : start + multiple * bs])
            start += multiple * bs
        return batches

    # --- padding -------------------------------------------------------------

    def padded_length(self, rows: np.ndarray) -> int:
        """The length batch ``rows`` is padded to."""
        if self.fixed_length is not None:
            return self.fixed_length
        longest = max(1, int(self.lengths[rows].max()) if len(rows) else 0)
        m = self.length_multiple
        return -(-longest // m) * m

    def pad_rows(self, rows: np.ndarray) -> np.ndarray:
        """Right-pads reviews ``rows`` into an int32 ``(len(rows), L)`` array."""
        width = self.padded_length(rows)
        out = np.zeros((len(rows), width), dtype=np.int32)
        starts = self.row_splits[rows]
        ends = np.minimum(self.row_splits[rows + 1], starts + width)
        values = self.values
        for j, (s, e) in enumerate(zip(starts.tolist(), ends.tolist())):
            out[j, : e - s] = values[s:e]
            if e == s and self.empty_id is not None:
                out[j, 0] = self.empty_id
        return out

    def batch(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """The batch of reviews ``rows``: ``(x,)`` without labels, else
        ``(x, y)``, or ``(x, y, sample_weight)`` with ``replicas`` > 1; the
        rows are topped up to a multiple of ``replicas`` (see the class
        docstring)."""
        x = self.pad_rows(rows)
        extra = filler_rows(len(rows), self.replicas)
        if extra:
            filler = np.zeros((extra, x.shape[1]), dtype=np.int32)
            if self.empty_id is not None:
                filler[:, 0] = self.empty_id  # an empty review, as pad_rows makes it
            x = np.concatenate([x, filler])
        if self.labels is None:
            return (x,)
        y = self.labels[rows]
        if self.replicas == 1:
            return x, y
        weights = np.zeros(len(x), dtype=np.float32)
        weights[: len(rows)] = 1.0
        return x, np.concatenate([y, np.zeros(extra, dtype=y.dtype)]), weights

    def real_rows(self, epoch: int | None = None) -> np.ndarray:
        """Which rows of the concatenated batches of ``epoch`` (default:
        current) are reviews rather than filler, as a bool array."""
        return np.concatenate([
            np.arange(len(rows) + filler_rows(len(rows), self.replicas)) < len(rows)
            for rows in self.batch_indices(epoch)
        ])

    # --- other views ---------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]

    def order(self, epoch: int | None = None) -> np.ndarray:
        """All example indices in batch order (concatenated batches)."""
        return np.concatenate(self.batch_indices(epoch))

    def as_tf_dataset(self) -> Any:
        """A ``tf.data.Dataset`` over the same batches, with a ``(None, None)``
        input signature.

        Each full pass over the dataset is one epoch, with that epoch's order
        (the first pass is the current epoch). Keras' own PyDataset adapter
        infers the input shape from the first two batches, which would fix the
        sequence length if they happened to be equally long.

        The pipeline is ``Dataset.range(len(self))`` mapped through
        ``tf.numpy_function`` (:meth:`pad_rows`), not
        ``Dataset.from_generator``: TensorFlow's generator dataset op, when it
        is first built, pins glibc's ``mmap`` threshold at 128 KiB for the
        whole process (``mallopt(M_MMAP_THRESHOLD, 131072)``, which also turns
        off glibc's adaptive threshold). From then on every allocation of 128
        KiB or more (tensors, Eigen's matrix-product buffers) is a fresh
        ``mmap`` whose pages are all faulted in, then unmapped when freed:
        that was most of the system time and page faults of training and
        evaluation (``benches/README.md``).

        tf.data's autotuning is off (the pipeline is one map and a prefetch of
        2, with nothing to tune): Keras makes a new iterator per epoch, and
        with autotuning on, deleting the old one waits for the autotuning
        thread to wake up (``~RootDataset::Iterator`` blocked on the thread
        in ``Model::OptimizeLoop``), which left the process idle for 5-16 s
        at the start of most epochs.
        """
        import tensorflow as tf

        width = self.fixed_length
        dtypes = (tf.int32,)
        if self.labels is not None:
            dtypes += (tf.float32,) if self.replicas == 1 else (tf.float32,) * 2
        n_batches = len(self)
        pass_epoch = [self._epoch]

        def batch(index: Any) -> Any:
            index = int(index)
            if index == 0:  # a new pass: it serves the current epoch's order
                pass_epoch[0] = self._epoch
                self._epoch += 1 if self.shuffle else 0
            return self.batch(self.batch_indices(pass_epoch[0])[index])

        def load(index: Any) -> Any:
            parts = tf.numpy_function(batch, [index], dtypes, stateful=True)
            parts[0].set_shape((None, width))
            for part in parts[1:]:  # labels, sample weights
                part.set_shape((None,))
            return tuple(parts)

        dataset = tf.data.Dataset.range(n_batches).map(load)  # in order
        # A known length gives Keras' progress bar its total from epoch 1.
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(n_batches))
        # A fixed prefetch depth, autotuning off (see the docstring).
        options = tf.data.Options()
        options.autotune.enabled = False
        return dataset.prefetch(2).with_options(options)


def batches_for(
    config: TrainConfig,
    ragged: tuple[Any, Any],
    labels: Any = None,
    *,
    training: bool = False,
    empty_id: int | None = 1,
    xla: bool = False,
    replicas: int = 1,
) -> BucketedBatches:
    """The :class:`BucketedBatches` a config implies.

    A model whose class is not ``variable_length`` (see
    :func:`imdbfast.models.get_model_class`) gets every batch padded to
    exactly ``config.sequence_length``.

    Args:
        config: the run's TrainConfig.
        ragged: ``(values, row_splits)`` from ``Tokenizer.transform_ragged``.
        labels: labels or None.
        training: shuffled training batches of ``batch_size`` (else sorted
            evaluation batches of ``eval_batch_size`` rows, or a multiple of
            it for short reviews: up to the tokens of ``eval_batch_size``
            reviews of ``sequence_length``, the peak memory of a batch of
            the longest reviews; see ``batch_tokens`` of BucketedBatches).
        empty_id: id given to empty reviews (see BucketedBatches); the
            tokenizer's ``oov_id``.
        xla: the steps are compiled per shape: round lengths to multiples of
            32 unless the config sets ``length_multiple``.
        replicas: top batches up to a multiple of this many rows (the
            replica count of a data-parallel run; see BucketedBatches).

    Returns:
        The batches.
    """
    from imdbfast.models import get_model_class

    multiple = config.length_multiple
    if multiple is None and xla:
        multiple = 32
    variable_length = get_model_class(config.model).variable_length
    return BucketedBatches.from_ragged(
        ragged,
        labels,
        batch_size=config.batch_size if training else config.eval_batch_size,
        shuffle=training,
        seed=config.seed,
        fixed_length=None if variable_length else config.sequence_length,
        length_multiple=multiple,
        empty_id=empty_id,
        batch_tokens=(
            None if training else config.eval_batch_size * config.sequence_length
        ),
        replicas=replicas,
    )


def fit_input(batches: BucketedBatches) -> Any:
    """What to hand to ``model.fit``: a tf.data pipeline on TensorFlow, the
    PyDataset itself on JAX and PyTorch."""
    if keras.backend.backend() == "tensorflow":
        return batches.as_tf_dataset()
    return batches


def _ids_predict_step(model: keras.Model, width: int | None) -> Any:
    """``model(x, training=False)`` on int32 ``(None, width)`` batches of any
    length, traced once per model and width."""
    import tensorflow as tf

    return model_step(
        model,
        ("ids", width),
        [tf.TensorSpec((None, width), tf.int32)],
        lambda live, x: live(x, training=False),
    )


def predict_sorted(
    model: keras.Model, batches: BucketedBatches, *, verbose: Any = 0
) -> np.ndarray:
    """Runs ``model`` over all batches and returns outputs in example order.

    On TensorFlow the batches go straight to one ``tf.function`` per model
    with a ``(None, None)`` input signature (traced once, whatever the batch
    shapes; Keras' ``predict`` traces for the first shape, then again for the
    second, and runs an input pipeline per call), traced in
    :func:`imdbfast.layers.right_padded_inputs` since it sees only these
    batches. Elsewhere this is
    ``model.predict`` over the :class:`BucketedBatches`.

    Args:
        model: a built Keras model.
        batches: an unshuffled :class:`BucketedBatches` (inputs only or with
            labels; labels are ignored).
        verbose: show a progress bar (Keras ``predict`` verbosity elsewhere).

    Returns:
        float32 array of the model outputs, row ``i`` for example ``i``
        (filler rows of a batch topped up for several replicas dropped).
    """
    if batches.shuffle:
        raise ValueError("predict_sorted needs an unshuffled BucketedBatches.")
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        from imdbfast.layers import right_padded_inputs

        plan = batches.batch_indices()
        progress = keras.utils.Progbar(len(plan)) if verbose else None
        parts = []
        # The function only ever sees these right-padded batches.
        with right_padded_inputs():
            step = _ids_predict_step(model, batches.fixed_length)
            for i, rows in enumerate(plan):
                x = tf.constant(batches.batch(rows)[0])
                parts.append(np.asarray(step(x), dtype=np.float32))
                if progress is not None:
                    progress.update(i + 1)
        outputs = np.concatenate(parts)
    else:
        outputs = np.asarray(model.predict(batches, verbose=verbose))
    outputs = outputs[batches.real_rows()]
    result = np.empty_like(outputs, dtype=np.float32)
    result[batches.order()] = outputs
    return result
