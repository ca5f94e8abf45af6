"""Process-wide settings of the backend, made once before the first tensor.

TensorFlow reads its allocator and sizes its thread pools when it runs its
first operation; :func:`configure_tensorflow` sets both for a run's config,
and :func:`imdbfast.train` and :func:`imdbfast.load` call it first.
:func:`describe_device` says where Keras computes, and :func:`model_step`
holds the traced inference steps of live models. Batching
(:mod:`imdbfast.batching`) and data parallelism (:mod:`imdbfast.distribution`)
live in their own modules.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from imdbfast.config import TrainConfig

__all__ = [
    "configure_tensorflow",
    "describe_device",
    "model_step",
    "use_tf_cpu_bfc_allocator",
    "use_tf_intra_op_threads",
]


def use_tf_cpu_bfc_allocator() -> bool:
    """Asks TensorFlow to keep CPU tensor memory in its BFC allocator.

    Sets ``TF_CPU_ALLOCATOR_USE_BFC=true`` unless the variable is already set
    (so ``TF_CPU_ALLOCATOR_USE_BFC=false`` opts out). TensorFlow reads it when
    it creates its CPU allocator, at its first operation, so this must run
    before any tensor exists; later it does nothing.

    Why: without oneDNN (``TF_ENABLE_ONEDNN_OPTS=0``, or a CPU on which
    TensorFlow leaves oneDNN off), TensorFlow's CPU allocator is plain
    ``malloc``, and glibc maps every block above its ``mmap`` threshold (at most
    32 MiB) afresh and unmaps it when freed, so each large activation of every
    step is faulted in page by page. With oneDNN on, TensorFlow already uses a
    BFC allocator for large blocks, and this changes nothing. Measured in
    ``benches/README.md``.

    Returns:
        True if this call set the variable.
    """
    if "TF_CPU_ALLOCATOR_USE_BFC" in os.environ:
        return False
    os.environ["TF_CPU_ALLOCATOR_USE_BFC"] = "true"
    return True


def configure_tensorflow(config: TrainConfig) -> None:
    """TensorFlow's process-wide CPU settings for a run of ``config``:
    :func:`use_tf_cpu_bfc_allocator` and :func:`use_tf_intra_op_threads`.
    Call it before the first tensor exists (``train()`` and ``load()`` do);
    later it changes nothing."""
    use_tf_cpu_bfc_allocator()
    use_tf_intra_op_threads(config)


def use_tf_intra_op_threads(config: TrainConfig) -> bool:
    """Gives each TensorFlow op half the CPUs when ``config``'s model runs
    fused LSTMs on the CPU.

    Sets TensorFlow's intra-op threads (the threads one op may split its
    work over) to half the CPUs this process may run on, at least 1, when
    all of these hold: the backend is TensorFlow, the model has
    :class:`imdbfast.layers.LSTM` layers (``has_lstm``) and
    ``config.fused_lstm``, TensorFlow sees no GPU, and neither
    ``TF_NUM_INTRAOP_THREADS`` nor ``tf.config.threading`` has set the
    number. TensorFlow fixes its thread pools when it starts, at its first
    operation, so this must run before any tensor exists; later it does
    nothing.

    Why: the fused LSTM's op (``BlockLSTM``) runs a few small Eigen
    expressions per time step, and with more than one intra-op thread each
    is split across threads that are already busy with the other direction
    of the bidirectional layer (the two directions run side by side on the
    inter-op threads): the splitting costs more in wake-ups than it saves.
    On the 2-core machine (``benches/README.md``) one thread per op made
    predicting the 25,000 test reviews 3.6-3.9 s -> 2.4-2.5 s and a training
    epoch no slower with ~15 % less CPU; the bag-of-n-grams model, one large
    op at a time, was slower with it (evaluation 0.37 -> 0.55 s), so it is
    left alone.

    Args:
        config: the run's TrainConfig.

    Returns:
        True if this call set the number of threads.
    """
    from imdbfast._keras import keras

    if keras.backend.backend() != "tensorflow" or not config.fused_lstm:
        return False
    from imdbfast.models import get_model_class

    if not get_model_class(config.model).has_lstm:
        return False
    if "TF_NUM_INTRAOP_THREADS" in os.environ:
        return False
    import tensorflow as tf

    threading = tf.config.threading
    if threading.get_intra_op_parallelism_threads() or tf.config.list_physical_devices(
        "GPU"
    ):
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1
    )
    try:
        threading.set_intra_op_parallelism_threads(max(1, cpus // 2))
    except RuntimeError:  # TensorFlow has started: its pools are fixed
        return False
    return True


def describe_device() -> str:
    """Where Keras computes: ``"GPU (<name>)"`` or ``"CPU"``, for the backend in use.

    Returns:
        A short description of the first accelerator, or ``"CPU"``.
    """
    import keras

    backend = keras.backend.backend()
    names: list[str] = []
    if backend == "tensorflow":
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            names.append(str(details.get("device_name", gpu.name)))
    elif backend == "jax":
        import jax

        names = [str(d.device_kind) for d in jax.devices() if d.platform != "cpu"]
    elif backend == "torch":
        import torch

        if torch.cuda.is_available():
            names = [torch.cuda.get_device_name(i)
                     for i in range(torch.cuda.device_count())]
    if not names:
        return "CPU"
    shown = names[0] if len(set(names)) == 1 else ", ".join(names)
    return f"GPU ({shown})" if len(names) == 1 else f"{len(names)} GPUs ({shown})"


#: Per model (weakly held), per key: the concrete function of one inference
#: step (see :func:`model_step`).
_MODEL_STEPS: weakref.WeakKeyDictionary[Any, dict[Hashable, Any]] = (
    weakref.WeakKeyDictionary()
)


def model_step(
    model: Any,
    key: Hashable,
    input_signature: list[Any],
    call: Callable[..., Any],
) -> Any:
    """The concrete ``tf.function`` of ``call(model, *inputs)`` for
    ``input_signature``, traced once per model and ``key`` (TensorFlow only).

    The model is held weakly, so its steps go with it. Called with tensors, a
    concrete function skips the ``tf.function``'s signature binding and cache
    lookup (about 0.4 ms a call, most of a one-review prediction). It is
    traced here, in the caller's context (see
    :func:`imdbfast.layers.right_padded_inputs`).

    Args:
        model: a built Keras model.
        key: what tells this model's steps apart (input kind and width).
        input_signature: the ``tf.TensorSpec`` of each input.
        call: ``call(model, *inputs)``, the step's outputs.

    Returns:
        The concrete function; call it with tensors.
    """
    import tensorflow as tf

    steps = _MODEL_STEPS.setdefault(model, {})
    if key not in steps:
        model_ref = weakref.ref(model)

        def step(*inputs: Any) -> Any:
            live = model_ref()
            if live is None:  # traced only while the model is alive
                raise RuntimeError("the model of this prediction function is gone")
            return call(live, *inputs)

        steps[key] = tf.function(step, input_signature=input_signature).get_concrete_function()
    return steps[key]
