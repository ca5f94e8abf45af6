"""TensorFlow's process settings (``imdbfast.runtime``): threads, allocator."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

keras = pytest.importorskip("keras")


def test_the_settings_are_still_importable_from_batching():
    from imdbfast import batching, runtime

    for name in ("configure_tensorflow", "use_tf_cpu_bfc_allocator",
                 "use_tf_intra_op_threads"):
        assert getattr(batching, name) is getattr(runtime, name)


def test_the_bfc_allocator_is_asked_for_unless_the_variable_is_set(monkeypatch):
    from imdbfast.runtime import use_tf_cpu_bfc_allocator

    monkeypatch.delenv("TF_CPU_ALLOCATOR_USE_BFC", raising=False)
    assert use_tf_cpu_bfc_allocator() is True
    assert os.environ["TF_CPU_ALLOCATOR_USE_BFC"] == "true"
    monkeypatch.setenv("TF_CPU_ALLOCATOR_USE_BFC", "false")
    assert use_tf_cpu_bfc_allocator() is False
    assert os.environ["TF_CPU_ALLOCATOR_USE_BFC"] == "false"


_THREADS_SCRIPT = """
import json, os
import tensorflow as tf
from imdbfast.runtime import use_tf_intra_op_threads
from imdbfast.config import TrainConfig
calls = [use_tf_intra_op_threads(TrainConfig(model="flatten")),
         use_tf_intra_op_threads(TrainConfig(fused_lstm=False))]
if os.environ.get("STARTED"):
    tf.constant(1.0) + 1.0  # TensorFlow has started: too late
calls.append(use_tf_intra_op_threads(TrainConfig()))
calls.append(use_tf_intra_op_threads(TrainConfig()))  # set already
print(json.dumps([calls, tf.config.threading.get_intra_op_parallelism_threads(),
                  len(os.sched_getaffinity(0))]))
"""


@pytest.mark.parametrize("env,expected", [
    ({}, "half"),
    ({"TF_NUM_INTRAOP_THREADS": "3"}, "unset"),  # the user's choice stands
    ({"STARTED": "1"}, "unset"),
])
def test_fused_lstm_models_get_half_the_cpus_per_tensorflow_op(env, expected):
    if keras.backend.backend() != "tensorflow":
        pytest.skip("TensorFlow's thread pools")
    pytest.importorskip("tensorflow")
    base = {k: v for k, v in os.environ.items() if k != "TF_NUM_INTRAOP_THREADS"}
    out = subprocess.run([sys.executable, "-c", _THREADS_SCRIPT], env={**base, **env},
                         capture_output=True, text=True, timeout=120, check=True)
    calls, threads, cpus = json.loads(out.stdout.strip().splitlines()[-1])
    if expected == "half":
        assert calls == [False, False, True, False]
        assert threads == max(1, cpus // 2)
    else:
        assert calls == [False, False, False, False]
        assert threads == 0  # TensorFlow's default
