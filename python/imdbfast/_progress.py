"""The training progress that :func:`imdbfast.train` shows on standard output.

Keras' own progress bar has three faults here, all fixed by :class:`Progress`
(a :class:`keras.callbacks.ProgbarLogger`, which ``fit`` then uses instead of
its default one):

- with ``steps_per_execution`` > 1 the batch callbacks see every 16th step,
  so the last update of an epoch can count past the total (``640/625``,
  ``16/7``) and show a negative time left; the count is capped at the total;
- Keras treats every POSIX process as a terminal, so output sent to a file or
  a pipe keeps its ANSI colour codes and carriage returns (a whole epoch on
  one line); when standard output is not a terminal (nor a Jupyter kernel),
  each epoch is one plain line instead (``Epoch 2/10 - 41s - 65ms/step - loss: ... - val_loss: ...``);
- a line the bar leaves open (an epoch in progress) is closed by
  :func:`end_line` before a message is written (the command line's
  ``interrupted``), so that no message is glued to the bar.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from imdbfast._keras import keras

__all__ = ["Progress", "end_line"]

# Whether a bar left the terminal's current line open (an epoch in progress).
_line_open = False


def end_line() -> None:
    """Ends the line the progress bar left open, if it did (so that the next
    message starts on a line of its own)."""
    global _line_open
    if _line_open:
        _line_open = False
        sys.stdout.write("\n")
        sys.stdout.flush()


def _is_terminal() -> bool:
    """Whether standard output draws a bar: a terminal, or a Jupyter kernel
    (whose front end handles carriage returns and colours)."""
    if "ipykernel" in sys.modules:
        return True
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _format_value(value: Any) -> str:
    number = float(value)
    return f"{number:.4f}" if abs(number) > 1e-3 else f"{number:.4e}"


class Progress(keras.callbacks.ProgbarLogger):  # type: ignore[misc]
    """Keras' progress bar that never counts past its total, drawn only on a
    terminal; elsewhere one plain line per epoch (see the module docstring).

    ``fit(verbose=0)`` shows nothing, as with Keras' own logger.
    """

    # Set by ProgbarLogger: the verbosity, the steps per epoch (None:
    # unknown), the steps seen and the number of epochs.
    verbose: Any
    target: int | None
    seen: int
    epochs: int

    def __init__(self) -> None:
        super().__init__()
        self._terminal = _is_terminal()
        self._epoch_start = 0.0

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        if self.verbose and not self._terminal:
            self.verbose = 2  # plain lines, printed by on_epoch_end below

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch_start = time.perf_counter()
        if self.verbose == 2:
            self._reset_progbar()
            return
        super().on_epoch_begin(epoch, logs)

    def _update_progbar(self, batch: int, logs: Any = None) -> None:
        global _line_open
        if self.target is not None:
            # With steps_per_execution > 1 the last call of an epoch reports
            # the end of its group of steps, which can be past the total.
            batch = min(batch, self.target - 1)
        super()._update_progbar(batch, logs)
        if self.verbose == 1:
            _line_open = True

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        global _line_open
        if self.verbose == 2:
            seconds = time.perf_counter() - self._epoch_start
            steps = self.target if self.target is not None else self.seen
            parts = [f"Epoch {epoch + 1}/{self.epochs}", f"{seconds:.0f}s"]
            if steps:
                parts.append(f"{seconds / steps * 1000:.0f}ms/step")
            parts += [f"{k}: {_format_value(v)}" for k, v in (logs or {}).items()]
            print(" - ".join(parts), flush=True)
            return
        super().on_epoch_end(epoch, logs)
        _line_open = False
