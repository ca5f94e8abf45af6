"""The ``imdbfast`` command line: train, evaluate and use sentiment models.

Examples::

    imdbfast train --data ../shared/data/aclImdb_v1_labeled.tar.gz
    imdbfast train --preset glove50-bilstm --data aclImdb/ --epochs 5
    imdbfast evaluate runs/bilstm-learned-20250101-120000
    imdbfast predict runs/bilstm-learned-20250101-120000 "A wonderful film." "Dull."
    imdbfast experiment training-size --data aclImdb/ --output-dir studies --epochs 3
    imdbfast ensemble runs/ngrams runs/bilstm --output runs/both --data aclImdb/

A user error prints one line, ``imdbfast: error: ...``, and exits with a
non-zero status: a bad option value (status 2), or an
:class:`imdbfast.errors.UserError` (a data or run file that is not what it
should be) or an ``OSError`` (a missing, unreadable or already taken path;
status 1). Any other exception is a bug: it keeps its traceback.

Commands that run a model say what they do: the start-up messages of
TensorFlow and other libraries (CUDA probing, oneDNN notices) are held back
unless ``--verbose`` is given, and ``train`` prints one line per phase on
stderr (data, vocabulary, device, model, best epoch, test, saved, each with
its time) before and after Keras' progress bars.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn, Sequence

from imdbfast.config import (
    DISTRIBUTIONS,
    EMBEDDINGS,
    MODELS,
    MONITORS,
    PRESETS,
    TRAIN_OUTPUT_MODES,
)
from imdbfast.ensembles import ENSEMBLE_PRESETS
from imdbfast._cli_support import (
    add_verbose,
    check_data,
    existing_path,
    float_where,
    int_at_least,
    phase_lines,
    start_backend,
)
from imdbfast.errors import UserError, require_matplotlib, user_input
from imdbfast._malloc import restart_with_huge_pages

EXIT_USAGE = 2
EXIT_FAILURE = 1

#: The commands that build, train or run models (they start with huge pages).
MODEL_COMMANDS = frozenset({"train", "evaluate", "predict", "ensemble", "experiment"})

_DESCRIPTION = """\
From raw IMDB movie reviews to a trained Keras sentiment model, fast.

Reviews are tokenized once by a Rust core, batched by length (each batch padded
only to its longest review) and fed to a Keras 3 model; the run directory keeps
the model, tokenizer, config, metrics, history and plots."""

_EPILOG = """\
examples:
  imdbfast train --data ../shared/data/aclImdb_v1_labeled.tar.gz
  imdbfast train --preset best --data aclImdb/
  imdbfast evaluate runs/bilstm-learned-20250101-120000
  imdbfast predict runs/bilstm-learned-20250101-120000 "What a film!" "Two hours lost."

Run 'imdbfast COMMAND --help' for a command's options."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``imdbfast: error: ...``."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see '{self.prog} --help')", EXIT_USAGE)


def _fail(message: str, status: int) -> NoReturn:
    progress = sys.modules.get("imdbfast._progress")
    if progress is not None:
        progress.end_line()  # a progress bar's open line, e.g. on Ctrl-C
    text = " ".join(str(message).split())
    sys.stderr.write(f"imdbfast: error: {text}\n")
    sys.stderr.flush()
    raise SystemExit(status)


# --- value parsers (argparse turns their errors into usage errors) ----------


_fraction = float_where(lambda v: 0.0 < v < 1.0, "a number between 0 and 1")
_rate = float_where(lambda v: 0.0 <= v < 1.0, "a rate in [0, 1)")
_positive_float = float_where(lambda v: v > 0, "a positive number")


def _run_dir(text: str) -> str:
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"run directory not found: {text}")
    return text


# --- the parser ----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``imdbfast`` argument parser.

    Returns:
        The parser, with the subcommands train, evaluate, predict and presets.
    """
    from imdbfast import __version__

    parser = _Parser(
        prog="imdbfast",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version",
                        version=f"imdbfast {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     parser_class=_Parser)

    # train ------------------------------------------------------------------
    train = commands.add_parser(
        "train",
        help="train a model on IMDB, evaluate it on the test set, save a run directory",
        description="Train a sentiment model on IMDB, evaluate it on the 25k test "
        "reviews and write a run directory (model.keras, tokenizer.json, config.json, "
        "metrics.json, history.csv, plots). Defaults reproduce the seed-000 baseline; "
        "options override the defaults or the chosen --preset.",
    )
    data = train.add_argument_group("data")
    data.add_argument("--data", metavar="PATH", type=existing_path, default=None,
                      help="IMDB source: the aclImdb .tar.gz, an extracted aclImdb "
                      "directory or a review,sentiment CSV (default: the user cache, "
                      "downloading it if needed)")
    data.add_argument("--train-size", metavar="N", type=int_at_least(2), default=None,
                      help="keep only N training reviews (stratified, seeded)")
    data.add_argument("--validation-split", metavar="F", type=_fraction, default=None,
                      help="fraction of training reviews held out for validation "
                      "(preset value, 0.2 by default)")

    model = train.add_argument_group("model")
    model.add_argument("--preset", choices=list(PRESETS), default=None,
                       help="start from a named configuration")
    model.add_argument("--model", choices=MODELS, default=None,
                       help="architecture (default: bilstm)")
    model.add_argument("--embeddings", choices=EMBEDDINGS, default=None,
                       help="learned, frozen GloVe, or GloVe fine-tuned "
                       "(default: learned)")
    model.add_argument("--glove", metavar="SOURCE", default=None,
                       help="GloVe vectors: a .txt/.gz/.zip path or a name like "
                       "glove.6B.50d (default: glove.6B.50d)")
    model.add_argument("--embedding-dim", metavar="N", type=int_at_least(1),
                       default=None,
                       help="embedding width for learned embeddings "
                       "(default: the model's)")
    model.add_argument("--units", metavar="N", type=int_at_least(0), default=None,
                       help="LSTM units, or flatten's hidden units "
                       "(default: the model's)")
    model.add_argument("--dropout", metavar="F", type=_rate, default=None,
                       help="dropout rate (default: the model's)")
    model.add_argument("--embedding-dropout", metavar="F", type=_rate, default=None,
                       help="drop embedding channels at this rate while training "
                       "(SpatialDropout1D; recurrent models; default: 0)")
    model.add_argument("--nb-scaling", action="store_true", default=None,
                       help="bag_of_ngrams: scale features by their naive-Bayes "
                       "log-count ratios (NBSVM)")

    text = train.add_argument_group("text")
    text.add_argument("--max-tokens", metavar="N", type=int_at_least(3), default=None,
                      help="vocabulary size, padding and OOV included (default: 20000)")
    text.add_argument("--sequence-length", metavar="N", type=int_at_least(1),
                      default=None,
                      help="reviews are cut to N tokens (default: 600)")
    text.add_argument("--strip-html", action="store_true", default=None,
                      help="remove <br /> line breaks before tokenizing")
    text.add_argument("--ngrams", metavar="N", type=int_at_least(1), default=None,
                      help="n-grams of widths 1..N in the vocabulary (default: 1)")
    text.add_argument("--output-mode", choices=TRAIN_OUTPUT_MODES, default=None,
                      help="token ids (int, default) or bag rows (for bag_of_ngrams)")

    fit = train.add_argument_group("training")
    fit.add_argument("--epochs", metavar="N", type=int_at_least(1), default=None,
                     help="maximum number of epochs (default: 10)")
    fit.add_argument("--batch-size", metavar="N", type=int_at_least(1), default=None,
                     help="training batch size (default: 32)")
    fit.add_argument("--optimizer", metavar="NAME", default=None,
                     help="Keras optimizer name, e.g. adam (default: the model's seed "
                     "optimizer)")
    fit.add_argument("--learning-rate", metavar="F", type=_positive_float, default=None,
                     help="learning rate (default: the model's)")
    fit.add_argument("--monitor", choices=MONITORS, default=None,
                     help="validation quantity that picks the best epoch "
                     "(default: val_loss)")
    fit.add_argument("--early-stopping", metavar="PATIENCE", type=int_at_least(1),
                     default=None,
                     help="stop after PATIENCE epochs without improvement and keep the "
                     "best weights (default: off)")
    fit.add_argument("--reduce-lr-patience", metavar="PATIENCE", type=int_at_least(1),
                     default=None,
                     help="halve the learning rate after PATIENCE epochs without "
                     "improvement (default: constant)")
    fit.add_argument("--seed", metavar="N", type=int_at_least(0), default=None,
                     help="random seed for the split, weights and batch order "
                     "(default: 1337)")
    fit.add_argument("--mixed-precision", action="store_true", default=None,
                     help="compute in float16 (for GPUs with tensor cores)")
    fit.add_argument("--jit-compile", action="store_true", default=None,
                     help="compile the training step with XLA (one compile per batch "
                     "shape; default: Keras' choice)")
    fit.add_argument("--no-fused-lstm", dest="fused_lstm", action="store_false",
                     default=None,
                     help="run LSTMs with Keras' step-by-step loop instead of the "
                     "fused TensorFlow CPU op (same results, slower; for comparisons)")
    fit.add_argument("--distribution", choices=[_option_value(d) for d in DISTRIBUTIONS],
                     default=None,
                     help="data-parallel: train on every visible accelerator (or "
                     "the devices JAX or TensorFlow expose), splitting each batch; "
                     "--batch-size stays the global batch (JAX, TensorFlow; "
                     "default: none)")

    out = train.add_argument_group("output")
    out.add_argument("--output-dir", metavar="DIR", default=None,
                     help="parent directory of run directories (default: runs)")
    out.add_argument("--run-name", metavar="NAME", default=None,
                     help="run directory name (default: MODEL-EMBEDDINGS-TIMESTAMP)")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="no progress lines or bars, only the final summary")
    out.add_argument("--json", action="store_true",
                     help="print the final metrics as JSON")
    add_verbose(out)
    train.set_defaults(handler=_cmd_train)

    # evaluate -----------------------------------------------------------------
    evaluate = commands.add_parser(
        "evaluate",
        help="evaluate a trained run on the IMDB test set",
        description="Load a run directory and evaluate its model on the IMDB test "
        "set (accuracy, loss, precision, recall, F1, confusion matrix).",
    )
    evaluate.add_argument("run", metavar="RUN", type=_run_dir,
                          help="run directory written by 'imdbfast train'")
    evaluate.add_argument("--data", metavar="PATH", type=existing_path, default=None,
                          help="IMDB source (default: the one the run was trained on)")
    evaluate.add_argument("--batch-size", metavar="N", type=int_at_least(1),
                          default=None,
                          help="reviews per model call (default: the run's, 256)")
    evaluate.add_argument("--json", action="store_true",
                          help="print the metrics as JSON")
    add_verbose(evaluate)
    evaluate.set_defaults(handler=_cmd_evaluate)

    # predict ------------------------------------------------------------------
    predict = commands.add_parser(
        "predict",
        help="classify review texts with a trained run",
        description="Classify review texts as positive or negative with a trained "
        "run. Prints a header line (label, P(positive), text), then one "
        "tab-separated line per text: the label, the probability that the review "
        "is positive and the start of the text (--json: 'label', 'probability', "
        "the same P(positive), and 'text'). An empty or whitespace-only text is "
        "classified with a warning. TEXT '-' reads one review per line from "
        "standard input.",
    )
    predict.add_argument("run", metavar="RUN", type=_run_dir,
                         help="run directory written by 'imdbfast train'")
    predict.add_argument("texts", metavar="TEXT", nargs="+",
                         help="review text(s) to classify, or '-' for standard input")
    predict.add_argument("--batch-size", metavar="N", type=int_at_least(1),
                         default=None,
                         help="texts per model call (default: the run's, 256)")
    predict.add_argument("--json", action="store_true",
                         help="print one JSON object per text")
    add_verbose(predict)
    predict.set_defaults(handler=_cmd_predict)

    # presets ------------------------------------------------------------------
    presets = commands.add_parser(
        "presets",
        help="list the named training presets",
        description="List the named presets usable with 'imdbfast train --preset'.",
    )
    presets.set_defaults(handler=_cmd_presets)

    # ensemble -----------------------------------------------------------------
    combine = commands.add_parser(
        "ensemble",
        help="average the predictions of trained runs",
        description="Write an ensemble directory of finished runs, or train the "
        "members of a named ensemble (--preset) first: their probabilities are "
        "averaged (equal weights unless --weights). 'imdbfast predict' and "
        "'imdbfast evaluate' serve it like a run.",
    )
    combine.add_argument("runs", metavar="RUN", nargs="*", type=_run_dir,
                         help="run directories written by 'imdbfast train'")
    combine.add_argument("--preset", choices=list(ENSEMBLE_PRESETS), default=None,
                         help="train this named ensemble's members instead "
                         f"({'; '.join(k + ': ' + ', '.join(m for m, _ in v) for k, v in ENSEMBLE_PRESETS.items())})")
    combine.add_argument("--output", metavar="DIR", required=True,
                         help="the ensemble directory to create")
    combine.add_argument("--weights", metavar="W", type=_positive_float, nargs="+",
                         default=None, help="one weight per run (default: equal)")
    combine.add_argument("--data", metavar="PATH", type=existing_path, default=None,
                         help="IMDB source: evaluate the ensemble on its test split "
                         "(and, with --preset, train on it)")
    members = combine.add_argument_group("with --preset, for every member")
    members.add_argument("--seed", metavar="N", type=int_at_least(0), default=None,
                         help="random seed (default: 1337)")
    members.add_argument("--glove", metavar="SOURCE", default=None,
                         help="GloVe vectors for the GloVe members")
    members.add_argument("--epochs", metavar="N", type=int_at_least(1), default=None,
                         help="maximum epochs (default: each preset's)")
    members.add_argument("--train-size", metavar="N", type=int_at_least(2), default=None,
                         help="train on N reviews (default: all)")
    members.add_argument("-q", "--quiet", action="store_true",
                         help="no Keras progress bars")
    add_verbose(combine)
    combine.set_defaults(handler=_cmd_ensemble)

    # experiment ----------------------------------------------------------------
    from imdbfast.experiments.cli import add_experiment_parser

    add_experiment_parser(commands)
    return parser


# Command-line option -> TrainConfig field
_TRAIN_FIELDS = {
    "data": "data_source",
    "train_size": "train_size",
    "validation_split": "validation_split",
    "model": "model",
    "embeddings": "embeddings",
    "glove": "glove_source",
    "embedding_dim": "embedding_dim",
    "units": "units",
    "dropout": "dropout",
    "embedding_dropout": "embedding_dropout",
    "max_tokens": "max_tokens",
    "sequence_length": "sequence_length",
    "strip_html": "strip_html",
    "ngrams": "ngrams",
    "output_mode": "output_mode",
    "nb_scaling": "nb_scaling",
    "epochs": "epochs",
    "batch_size": "batch_size",
    "optimizer": "optimizer",
    "learning_rate": "learning_rate",
    "monitor": "monitor",
    "early_stopping": "early_stopping",
    "reduce_lr_patience": "reduce_lr_patience",
    "seed": "seed",
    "mixed_precision": "mixed_precision",
    "jit_compile": "jit_compile",
    "fused_lstm": "fused_lstm",
    "distribution": "distribution",
    "output_dir": "output_dir",
    "run_name": "run_name",
}


def _option_value(value: str) -> str:
    """A TrainConfig value as the command line spells it (``data-parallel``)."""
    return value.replace("_", "-")


def _field_value(value: str) -> str:
    """The TrainConfig value of a command-line spelling (``data_parallel``)."""
    return value.replace("-", "_")


def config_from_args(args: argparse.Namespace) -> Any:
    """The TrainConfig that ``imdbfast train`` options describe.

    Args:
        args: the parsed ``imdbfast train`` options.

    Returns:
        The TrainConfig.

    Raises:
        UserError: if the options make an invalid config.
    """
    from imdbfast.config import TrainConfig

    overrides = {
        field: getattr(args, option)
        for option, field in _TRAIN_FIELDS.items()
        if getattr(args, option) is not None
    }
    if "distribution" in overrides:
        overrides["distribution"] = _field_value(overrides["distribution"])
    overrides["verbose"] = 0 if args.quiet else 1
    with user_input():
        if args.preset is not None:
            return TrainConfig.preset(args.preset, **overrides)
        return TrainConfig(**overrides)


def _check_optimizer(name: str | None) -> None:
    """Raises UserError unless Keras knows the optimizer ``name``."""
    if name is None:
        return
    import keras

    try:
        keras.optimizers.get(name)
    except ValueError:
        raise UserError(
            "argument --optimizer: expected a Keras optimizer name such as "
            f"adam, adamw, rmsprop or sgd. Received: {name!r}"
        ) from None


def _check_train(config: Any) -> None:
    """What ``train`` can check before the backend starts (seconds): the
    dependencies, the run directory and the data source.

    Raises:
        UserError, OSError: one line each, naming the command-line flags.
    """
    from imdbfast.run_dir import choose_run_dir

    require_matplotlib("imdbfast train")
    choose_run_dir(config, flags=True)
    check_data(config.data_source)


def _cmd_train(args: argparse.Namespace) -> int:
    try:  # validate before importing Keras
        config = config_from_args(args)
    except UserError as err:
        _fail(str(err), EXIT_USAGE)
    _check_train(config)
    start_backend(args.verbose)
    try:
        _check_optimizer(config.optimizer)
    except UserError as err:
        _fail(str(err), EXIT_USAGE)
    from imdbfast.training import train

    with phase_lines(not args.quiet):
        result = train(config)
    if args.json:
        print(json.dumps({"run_dir": str(result.run_dir),
                          "best_epoch": result.best_epoch,
                          "test": result.metrics(), "seconds": result.seconds}))
    else:
        print(result.summary(logged=not args.quiet))
    return 0


def _check_run(run: str) -> None:
    """Raises FileNotFoundError unless ``run`` holds a run's files or an
    ensemble's ``ensemble.json`` (checked before the backend starts)."""
    from imdbfast.ensembles import ENSEMBLE_FILE
    from imdbfast.run_dir import run_files

    if not (Path(run) / ENSEMBLE_FILE).is_file():
        run_files(run)


def _load_bundle(run: str, verbose: bool) -> Any:
    _check_run(run)
    start_backend(verbose)
    from imdbfast.bundle import load

    return load(run)


def _cmd_ensemble(args: argparse.Namespace) -> int:
    from imdbfast.ensembles import ensemble, train_ensemble

    if args.preset is not None:
        if args.runs or args.weights is not None:
            raise UserError("give either RUN directories or --preset, not both")
        if args.data is None:
            raise UserError("--preset trains the members: it needs --data")
        overrides = {
            field: value
            for field, value in (("seed", args.seed), ("glove_source", args.glove),
                                 ("epochs", args.epochs), ("train_size", args.train_size))
            if value is not None
        }
        if args.quiet:
            overrides["verbose"] = 0
        require_matplotlib("imdbfast ensemble --preset")
        check_data(args.data)
        start_backend(args.verbose)
        with phase_lines(not args.quiet):
            result = train_ensemble(args.preset, args.output, data_source=args.data,
                                    **overrides)
    else:
        if len(args.runs) < 2:
            raise UserError(
                f"an ensemble needs two or more runs (or --preset); received {len(args.runs)}"
            )
        if args.weights is not None and len(args.weights) != len(args.runs):
            raise UserError(
                f"--weights needs one weight per run: {len(args.runs)} runs, "
                f"{len(args.weights)} weights"
            )
        for run in args.runs:
            _check_run(run)
        check_data(args.data)
        start_backend(args.verbose)
        result = ensemble(args.runs, args.output, weights=args.weights,
                          data_source=args.data)
    print(f"ensemble: {args.output} ({len(result.members)} runs)")
    metrics_path = Path(args.output) / "metrics.json"
    if metrics_path.is_file():
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
        for member in metrics["members"]:
            print(f"  {member['path']}: test accuracy {member['test_accuracy']:.4f}")
        print(f"test accuracy: {metrics['test']['accuracy']:.4f}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    check_data(args.data)
    bundle = _load_bundle(args.run, args.verbose)
    metrics = bundle.evaluate(source=args.data, batch_size=args.batch_size)
    if args.json:
        print(json.dumps(metrics))
        return 0
    (tn, fp), (fn, tp) = metrics["confusion_matrix"]
    print(f"run: {args.run}")
    print(f"test reviews: {metrics['examples']}")
    print(f"accuracy: {metrics['accuracy']:.4f}  loss: {metrics['loss']:.4f}")
    print(f"precision: {metrics['precision']:.4f}  recall: {metrics['recall']:.4f}  "
          f"F1: {metrics['f1']:.4f}")
    print(f"confusion matrix (rows true, columns predicted; neg, pos): "
          f"[[{tn}, {fp}], [{fn}, {tp}]]")
    return 0


#: The first line of ``imdbfast predict``: its tab-separated columns.
PREDICT_HEADER = "label\tP(positive)\ttext"


def _cmd_predict(args: argparse.Namespace) -> int:
    texts: list[str] = []
    for text in args.texts:
        if text == "-":
            texts.extend(line.rstrip("\n") for line in sys.stdin if line.strip())
        else:
            texts.append(text)
    blank = [str(i) for i, text in enumerate(texts, 1) if not text.strip()]
    if blank:
        sys.stderr.write(
            f"imdbfast: warning: text {', '.join(blank)} of {len(texts)} "
            f"{'is' if len(blank) == 1 else 'are'} empty or only whitespace: "
            "no words to classify, the prediction says nothing about it\n"
        )
    bundle = _load_bundle(args.run, args.verbose)
    labels, probabilities = bundle.predict(texts, batch_size=args.batch_size)
    if not args.json:
        print(PREDICT_HEADER)
    for text, label, prob in zip(texts, labels, probabilities):
        name = "positive" if label else "negative"
        if args.json:
            print(json.dumps({"label": name, "probability": round(float(prob), 6),
                              "text": text}))
        else:
            shown = " ".join(text.split())
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            print(f"{name}\t{prob:.4f}\t{shown}")
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:
    from imdbfast.config import PRESET_ALIASES, TrainConfig, preset_names

    defaults = TrainConfig()
    aliases: dict[str, list[str]] = {}
    for alias, name in PRESET_ALIASES.items():
        aliases.setdefault(name, []).append(alias)
    for name in preset_names():
        changed = ", ".join(f"{k}={v}" for k, v in PRESETS[name].items()
                            if getattr(defaults, k) != v) or "the defaults"
        also = f" (alias: {', '.join(aliases[name])})" if name in aliases else ""
        print(f"{name}{also}: {changed}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``imdbfast`` command.

    Args:
        argv: the arguments (None = ``sys.argv[1:]``).

    Returns:
        The exit status (0 on success); usage errors exit with 2 and other
        user errors (:class:`UserError`: invalid data or run files;
        ``OSError``: missing, unreadable or taken paths) with 1, each with a
        one-line ``imdbfast: error: ...`` message on stderr. Any other
        exception is a bug and propagates with its traceback.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if argv is None and args.command in MODEL_COMMANDS:
        # The command itself (not a call from Python): huge pages for malloc,
        # which glibc takes only at start-up (see imdbfast._malloc).
        restart_with_huge_pages()
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        pass
    except UserError as err:
        _fail(str(err), EXIT_FAILURE)
    except OSError as err:
        _fail(_describe_os_error(err), EXIT_FAILURE)
    # Interrupted. The traceback's frames hold the training state (the model,
    # TensorFlow's data iterators whose threads call back into Python); they
    # are released here, outside the handler, so that they are not left to
    # interpreter shutdown, where tearing them down can crash the process.
    gc.collect()
    _fail("interrupted", 130)


def _describe_os_error(err: OSError) -> str:
    if err.filename is not None and err.strerror:
        return f"{err.strerror}: {err.filename}"
    return str(err)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
