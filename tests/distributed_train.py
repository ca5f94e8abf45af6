"""Trains the same tiny config on one device and data parallel on two, in one
fresh process, and prints both runs' figures as JSON (for test_distribution).

Two devices must exist before the backend starts, so this runs as its own
process: ``python tests/distributed_train.py BACKEND DATA_DIR OUTPUT_DIR
CONFIG_JSON``. On JAX, two CPU devices come from ``XLA_FLAGS``; on TensorFlow,
the CPU is split into two logical devices.
"""

from __future__ import annotations

import json
import os
import sys


def main(backend: str, data_dir: str, output_dir: str, config_json: str) -> None:
    os.environ["KERAS_BACKEND"] = backend
    if backend == "jax":
        os.environ["XLA_FLAGS"] = (
            os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2"
        )
    else:
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu,
            [tf.config.LogicalDeviceConfiguration(),
             tf.config.LogicalDeviceConfiguration()],
        )
    import imdbfast

    fields = json.loads(config_json)
    runs = {}
    for distribution in ("none", "data_parallel"):
        result = imdbfast.train(
            data_source=data_dir,
            output_dir=output_dir,
            run_name=distribution,
            distribution=distribution,
            **fields,
        )
        metrics = json.loads((result.run_dir / "metrics.json").read_text())
        runs[distribution] = {
            "test": result.metrics(),
            "history": result.history,
            "replicas": metrics["replicas"],
        }
    print("RESULT " + json.dumps(runs))


if __name__ == "__main__":
    main(*sys.argv[1:])
