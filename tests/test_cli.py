"""The imdbfast command line: help, one-line errors with non-zero exits,
train / evaluate / predict on a tiny run."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from train_helpers import TINY_TRAIN, tiny_imdb, tiny_run

#: The commands that train start Keras: without a backend (pip install
#: imdbfast, no extras) they stop with one error line, tested in test_package.
needs_keras = pytest.mark.skipif(
    importlib.util.find_spec("keras") is None,
    reason="needs Keras 3 with a backend (pip install 'imdbfast[tensorflow]')",
)
#: The training commands check for matplotlib (the run's plots) before
#: anything else that needs no backend.
needs_matplotlib = pytest.mark.skipif(
    importlib.util.find_spec("matplotlib") is None,
    reason="needs matplotlib (pip install 'imdbfast[tensorflow]')",
)

from imdbfast.cli import build_parser, config_from_args, main
from imdbfast.config import TrainConfig, preset_names


def run_main(capsys, *argv):
    """(exit status, stdout, stderr) of main(argv) in this process."""
    try:
        status = main(list(argv))
    except SystemExit as exit:
        status = exit.code
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status, err, expected_status, match):
    assert status == expected_status
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("imdbfast: error: ")
    assert match in lines[0]
    assert "Traceback" not in err


def test_help_lists_the_commands(capsys):
    status, out, _ = run_main(capsys, "--help")
    assert status == 0
    for command in ("train", "evaluate", "predict", "presets"):
        assert command in out
    assert "examples:" in out


def test_train_help_lists_the_options(capsys):
    status, out, _ = run_main(capsys, "train", "--help")
    assert status == 0
    for option in ("--model", "--embeddings", "--glove", "--max-tokens", "--sequence-length",
                   "--epochs", "--batch-size", "--train-size", "--data", "--output-dir",
                   "--seed", "--early-stopping", "--preset", "--mixed-precision"):
        assert option in out


def test_no_command_prints_help_and_fails(capsys):
    status, out, _ = run_main(capsys)
    assert status == 2 and "COMMAND" in out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["train", "--epochs", "0"], "argument --epochs: expected an integer >= 1, got 0"),
        (["train", "--epochs", "ten"], "expected an integer, got 'ten'"),
        (["train", "--model", "cnn"], "argument --model: invalid choice: 'cnn'"),
        (["train", "--validation-split", "1.5"], "expected a number between 0 and 1"),
        (["train", "--data", "/no/such/aclImdb.tar.gz"], "no such file or directory"),
        (["train", "--preset", "fastest"], "invalid choice: 'fastest'"),
        (["train", "--distribution", "data_parallel"],
         "argument --distribution: invalid choice: 'data_parallel' "
         "(choose from 'none', 'data-parallel')"),
        (["train", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["evaluate", "/no/such/run"], "run directory not found: /no/such/run"),
        (["predict", "/no/such/run", "text"], "run directory not found"),
        (["predict"], "the following arguments are required: RUN, TEXT"),
        (["bogus"], "invalid choice: 'bogus'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(capsys, argv, match):
    status, _, err = run_main(capsys, *argv)
    assert_one_line_error(status, err, 2, match)


def test_config_errors_found_late_are_one_line_too(capsys):
    status, _, err = run_main(capsys, "train", "--run-name", "a/b")
    assert_one_line_error(status, err, 2, "`run_name` must be a plain directory name")


def test_options_map_onto_train_config():
    args = build_parser().parse_args([
        "train", "--preset", "glove50-bilstm", "--epochs", "3", "--max-tokens", "5000",
        "--sequence-length", "200", "--train-size", "1000", "--seed", "7",
        "--early-stopping", "2", "--glove", "vectors.txt", "--strip-html", "-q",
        "--embedding-dropout", "0.25",
    ])
    config = config_from_args(args)
    assert config == TrainConfig.preset(
        "glove50-bilstm", epochs=3, max_tokens=5000, sequence_length=200, train_size=1000,
        seed=7, early_stopping=2, glove_source="vectors.txt", strip_html=True, verbose=0,
        embedding_dropout=0.25,
    )
    assert config_from_args(build_parser().parse_args(["train"])) == TrainConfig(verbose=1)
    for option, field in (("none", "none"), ("data-parallel", "data_parallel")):
        args = build_parser().parse_args(["train", "--distribution", option])
        assert config_from_args(args).distribution == field


def test_data_parallel_bag_rows_are_a_one_line_error(capsys):
    status, _, err = run_main(capsys, "train", "--distribution", "data-parallel",
                              "--model", "bag_of_ngrams", "--output-mode", "count")
    assert_one_line_error(status, err, 2, "`distribution` must be 'none' for bag rows")


def test_presets_command(capsys):
    status, out, _ = run_main(capsys, "presets")
    assert status == 0
    lines = out.splitlines()
    assert "bilstm-learned (alias: seed000): the defaults" in lines
    assert any(line.startswith("attention-glove-finetune (alias: best): ") for line in lines)
    assert len(lines) == len(preset_names())


def test_python_dash_m_runs_the_same_cli():
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    done = subprocess.run([sys.executable, "-m", "imdbfast", "train", "--batch-size", "-1"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert done.stderr == (
        "imdbfast: error: argument --batch-size: expected an integer >= 1, got -1 "
        "(see 'imdbfast train --help')\n"
    )
    done = subprocess.run([sys.executable, "-m", "imdbfast", "--version"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("imdbfast ")


# --- with a trained run --------------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


def test_predict_prints_one_line_per_text(capsys, run):
    status, out, _ = run_main(capsys, "predict", str(run.run_dir),
                              "A wonderful, moving film.", "Awful and boring.")
    assert status == 0
    header, *lines = out.strip().splitlines()
    assert header == "label\tP(positive)\ttext"
    assert len(lines) == 2
    for line, text in zip(lines, ["A wonderful, moving film.", "Awful and boring."]):
        label, probability, shown = line.split("\t")
        assert label in ("positive", "negative")
        assert (label == "positive") == (float(probability) > 0.5)
        assert shown == text


def test_predict_warns_about_empty_texts(capsys, run):
    status, out, err = run_main(capsys, "predict", str(run.run_dir), "Great.", "",
                                " \t ")
    assert status == 0
    assert len(out.strip("\n").splitlines()) == 4  # the header, then one per text
    assert err == ("imdbfast: warning: text 2, 3 of 3 are empty or only whitespace: "
                   "no words to classify, the prediction says nothing about it\n")
    status, out, err = run_main(capsys, "predict", str(run.run_dir), "Great.")
    assert status == 0 and err == ""


def test_predict_json_and_stdin(capsys, monkeypatch, run):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("great film\n\nworst film\n"))
    status, out, _ = run_main(capsys, "predict", str(run.run_dir), "-", "--json")
    assert status == 0
    rows = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["text"] for r in rows] == ["great film", "worst film"]
    assert all(0 <= r["probability"] <= 1 for r in rows)


def test_evaluate_prints_the_test_metrics(capsys, run):
    status, out, _ = run_main(capsys, "evaluate", str(run.run_dir), "--json")
    assert status == 0
    metrics = json.loads(out)
    assert metrics["accuracy"] == pytest.approx(run.test_accuracy)
    status, out, _ = run_main(capsys, "evaluate", str(run.run_dir))
    assert status == 0 and f"accuracy: {run.test_accuracy:.4f}" in out


def test_evaluate_with_data_that_is_not_imdb_is_a_one_line_error(capsys, run):
    status, _, err = run_main(capsys, "evaluate", str(run.run_dir),
                              "--data", str(run.run_dir / "history.csv"))
    assert status == 1
    assert_one_line_error(status, err, 1, "imdbfast: error:")


@needs_keras
def test_train_command_end_to_end(capsys, tmp_path_factory, tmp_path):
    data = str(tiny_imdb(tmp_path_factory))
    status, out, _ = run_main(
        capsys, "train", "--data", data, "--output-dir", str(tmp_path), "--run-name", "cli",
        "--epochs", "1", "--embedding-dim", "4", "--units", "2", "--max-tokens", "50",
        "--sequence-length", "30", "--batch-size", str(TINY_TRAIN["batch_size"]),
        "--quiet", "--json",
    )
    assert status == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["run_dir"] == str(tmp_path / "cli")
    assert (tmp_path / "cli" / "model.keras").is_file()
    assert 0 <= summary["test"]["accuracy"] <= 1


# --- user errors are one line, bugs keep their traceback ---------------------------


def test_user_error_is_a_value_error():
    from imdbfast.errors import UserError, user_input

    assert issubclass(UserError, ValueError)
    with pytest.raises(UserError, match="^data.csv: bad header$") as caught:
        with user_input("data.csv"):
            raise ValueError("bad header")
    assert isinstance(caught.value.__cause__, ValueError)
    with pytest.raises(UserError, match="^data.csv:3: bad row$"):
        with user_input("data.csv"):
            raise ValueError("data.csv:3: bad row")
    with pytest.raises(TypeError):
        with user_input("data.csv"):
            raise TypeError("not converted")


def test_user_errors_raised_by_a_command_are_one_line(capsys, monkeypatch):
    import imdbfast.cli
    from imdbfast.errors import UserError

    def fails(args):
        raise UserError("the data is not what it should be. Received: x")

    monkeypatch.setattr(imdbfast.cli, "_cmd_presets", fails)
    status, _, err = run_main(capsys, "presets")
    assert_one_line_error(status, err, 1, "the data is not what it should be")


@pytest.mark.parametrize("error", [ValueError, TypeError, KeyError, RuntimeError])
def test_a_bug_keeps_its_traceback(monkeypatch, error):
    import imdbfast.cli

    def broken(args):
        raise error("an internal mistake")

    monkeypatch.setattr(imdbfast.cli, "_cmd_presets", broken)
    with pytest.raises(error, match="an internal mistake"):
        main(["presets"])


def test_a_bug_prints_a_traceback_and_fails_from_the_command_line():
    code = (
        "import sys, imdbfast.cli as cli\n"
        "def broken(args):\n"
        "    raise ValueError('an internal mistake')\n"
        "cli._cmd_presets = broken\n"
        "sys.exit(cli.main(['presets']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "ValueError: an internal mistake" in done.stderr
    assert "imdbfast: error:" not in done.stderr


@needs_keras
def test_train_on_a_file_that_is_not_imdb_is_a_one_line_error(capsys, tmp_path):
    data = tmp_path / "reviews.csv"
    data.write_text("text,label\nfine,1\n", encoding="utf-8")
    status, _, err = run_main(capsys, "train", "--data", str(data),
                              "--output-dir", str(tmp_path), "--quiet")
    assert_one_line_error(status, err, 1, str(data))


@needs_keras
def test_train_into_a_taken_run_directory_is_a_one_line_error(capsys, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "model.keras").write_text("")
    status, _, err = run_main(capsys, "train", "--output-dir", str(tmp_path),
                              "--run-name", "taken", "--quiet")
    assert_one_line_error(status, err, 1, "already exists")


@needs_keras
def test_unknown_optimizer_is_a_one_line_usage_error(capsys, tmp_path):
    status, _, err = run_main(capsys, "train", "--optimizer", "nosuch",
                              "--output-dir", str(tmp_path), "--quiet")
    assert_one_line_error(status, err, 2, "Received: 'nosuch'")


def test_a_broken_run_directory_is_a_one_line_error(capsys, run, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(run.run_dir, broken)
    (broken / "config.json").write_text('{"format": "other"}')
    status, _, err = run_main(capsys, "predict", str(broken), "text")
    assert_one_line_error(status, err, 1, "not an imdbfast TrainConfig file")


# --- what the commands say -----------------------------------------------------

PHASES = ("data: ", "vocabulary: ", "device: ", "model: ", "best epoch: ", "test: ",
          "saved: ")


def tiny_train_args(data, output_dir, run_name):
    return ["train", "--data", data, "--output-dir", output_dir, "--run-name", run_name,
            "--epochs", "2", "--embedding-dim", "4", "--units", "2", "--max-tokens",
            "50", "--sequence-length", "30", "--batch-size",
            str(TINY_TRAIN["batch_size"])]


@needs_keras
def test_train_prints_one_line_per_phase(capsys, tmp_path_factory, tmp_path):
    import re

    data = str(tiny_imdb(tmp_path_factory))
    status, out, err = run_main(capsys, *tiny_train_args(data, str(tmp_path), "talk"))
    assert status == 0
    lines = err.strip().splitlines()
    assert [next(p for p in PHASES if line.startswith(p)) for line in lines] == list(
        PHASES), err
    by_phase = dict(zip(PHASES, lines))
    assert by_phase["data: "].startswith("data: 160 train, 40 validation, 100 test")
    assert re.match(r"vocabulary: \d+ tokens, \d+\.\d% of the training tokens in it \(",
                    by_phase["vocabulary: "])
    assert re.match(r"device: (CPU|.*GPU.*), Keras backend \w+$", by_phase["device: "])
    assert re.match(r"best epoch: [12] of 2, val_loss \d\.\d{4} \(fit \d+\.\d s\)$",
                    by_phase["best epoch: "])
    for phase in ("data: ", "vocabulary: ", "model: ", "test: ", "saved: "):
        assert re.search(r"\(\d+\.\d s\)$", by_phase[phase]), by_phase[phase]
    assert "Epoch 1/2" in out  # then Keras' progress bars
    assert out.strip().splitlines()[-1].startswith("seconds: ")
    status, _, err = run_main(capsys, *tiny_train_args(data, str(tmp_path), "hush"),
                              "--quiet")
    assert status == 0 and err == ""


@needs_keras
def test_train_from_a_shell_shows_no_library_start_up_lines(tmp_path_factory, tmp_path):
    import re

    data = str(tiny_imdb(tmp_path_factory))
    done = subprocess.run(
        [sys.executable, "-m", "imdbfast",
         *tiny_train_args(data, str(tmp_path), "shell")],
        capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert not [line for line in lines if re.match(r"[IWEF]\d{4} ", line)], done.stderr
    assert "absl::InitializeLog" not in done.stderr
    assert "cuda" not in done.stderr.lower() and "oneDNN" not in done.stderr
    assert [line.split(":")[0] for line in lines] == [p[:-2] for p in PHASES], (
        done.stderr)


def test_held_back_library_output_is_shown_when_the_start_fails(capfd):
    from imdbfast._cli_support import native_stderr_held

    with native_stderr_held():
        os.write(2, b"I0000 start-up noise\n")
    assert "start-up noise" not in capfd.readouterr().err
    with pytest.raises(ImportError, match="no backend"):
        with native_stderr_held():
            os.write(2, b"why the start failed\n")
            raise ImportError("no backend")
    assert "why the start failed" in capfd.readouterr().err
    with native_stderr_held(enabled=False):  # --verbose
        os.write(2, b"shown as is\n")
    assert "shown as is" in capfd.readouterr().err


def test_verbose_is_an_option_of_the_model_commands():
    parser = build_parser()
    for argv in (["train"], ["evaluate", "."], ["predict", ".", "text"]):
        assert parser.parse_args(argv).verbose is False
        assert parser.parse_args([*argv, "--verbose"]).verbose is True


# --- checks that need no backend come before it ------------------------------------

#: Python without Keras: a check made before the backend starts gives its own
#: message; one made after would be the missing-Keras error instead.
NO_BACKEND = "import sys\nsys.modules['keras'] = None\n"


def cli_without_backend(*argv, prelude: str = ""):
    code = (NO_BACKEND + prelude + "from imdbfast.cli import main\n"
            f"sys.exit(main({list(argv)!r}))\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=120, check=False)


def assert_one_line(done, status, *parts):
    assert done.returncode == status, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imdbfast: error: "), done.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    assert "Keras 3" not in lines[0]


@needs_matplotlib  # else its check comes first
def test_train_checks_the_run_directory_and_data_before_the_backend(
        tmp_path_factory, tmp_path):
    data = str(tiny_imdb(tmp_path_factory))
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "model.keras").write_text("")
    done = cli_without_backend("train", "--data", data, "--output-dir", str(tmp_path),
                               "--run-name", "taken")
    assert_one_line(done, 1, "already exists", "choose another --run-name")
    assert "run_name" not in done.stderr
    (tmp_path / "file").write_text("")
    done = cli_without_backend("train", "--data", data, "--output-dir",
                               str(tmp_path / "file"))
    assert_one_line(done, 1, "--output-dir is not a directory")
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 4)
    done = cli_without_backend("train", "--data", str(corrupt), "--output-dir",
                               str(tmp_path))
    assert_one_line(done, 1, "corrupt.tar.gz: corrupt or truncated archive")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.tar.gz", "file",
                                                          "taken"]


def test_train_checks_matplotlib_before_the_backend(tmp_path_factory, tmp_path):
    data = str(tiny_imdb(tmp_path_factory))
    done = cli_without_backend("train", "--data", data, "--output-dir", str(tmp_path),
                               prelude="sys.modules['matplotlib'] = None\n")
    assert_one_line(done, 1, "imdbfast train needs matplotlib",
                    "pip install 'imdbfast[tensorflow]'")
    assert list(tmp_path.iterdir()) == []


def test_evaluate_and_predict_check_the_run_directory_before_the_backend(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    for argv in (["evaluate", str(tmp_path)], ["predict", str(tmp_path), "text"],
                 ["ensemble", str(tmp_path), str(tmp_path), "--output",
                  str(tmp_path / "e")]):
        done = cli_without_backend(*argv)
        assert_one_line(done, 1, f"{tmp_path} is not an imdbfast run directory: "
                        "missing model.keras")


@needs_matplotlib  # else its check comes first
def test_experiment_checks_the_study_directory_before_the_backend(tmp_path):
    from imdbfast.experiments.runner import open_study_dir
    from imdbfast.experiments.study import Study

    open_study_dir(tmp_path / "sequence-length", Study("other", {"epochs": [1]}))
    done = cli_without_backend("experiment", "sequence-length", "--output-dir",
                               str(tmp_path), "--epochs", "1")
    assert_one_line(done, 1, "holds the results of study 'other'")


@needs_keras
def test_an_offline_download_names_the_url_and_suggests_data(tmp_path):
    import socket

    with socket.socket() as s:  # a port on 127.0.0.1 that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/aclImdb_v1.tar.gz"
    env = {**os.environ, "IMDBFAST_HOME": str(tmp_path / "home"),
           "IMDBFAST_IMDB_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "imdbfast", "train", "--epochs", "1", "--output-dir",
         str(tmp_path / "runs"), "--quiet"],
        capture_output=True, text=True, timeout=300, env=env, check=False,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imdbfast: error: could not "
                                                   f"download {url}: "), done.stderr
    assert "--data PATH" in lines[0] and "urlopen error" not in lines[0]
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


@needs_keras
def test_an_interrupted_run_leaves_no_empty_run_directory(
        tmp_path_factory, tmp_path, monkeypatch):
    import imdbfast
    import keras
    from imdbfast import training

    class CtrlC(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            raise KeyboardInterrupt

    make = training._fit_callbacks
    monkeypatch.setattr(training, "_fit_callbacks",
                        lambda *a, **k: [*make(*a, **k), CtrlC()])
    with pytest.raises(KeyboardInterrupt):
        imdbfast.train(data_source=str(tiny_imdb(tmp_path_factory)),
                       output_dir=str(tmp_path), run_name="stopped",
                       **TINY_TRAIN)
    assert not (tmp_path / "stopped").exists()
    # A directory the user made beforehand stays.
    (tmp_path / "mine").mkdir()
    with pytest.raises(KeyboardInterrupt):
        imdbfast.train(data_source=str(tiny_imdb(tmp_path_factory)),
                       output_dir=str(tmp_path), run_name="mine",
                       **TINY_TRAIN)
    assert (tmp_path / "mine").is_dir()


# --- progress: a bar on a terminal, plain lines elsewhere ---------------------------


def _train_command(data, output_dir, run_name):
    return [sys.executable, "-m", "imdbfast", *tiny_train_args(data, output_dir, run_name)]


@needs_keras
def test_train_output_to_a_pipe_is_one_plain_line_per_epoch(tmp_path_factory, tmp_path):
    import re

    data = str(tiny_imdb(tmp_path_factory))
    done = subprocess.run(_train_command(data, str(tmp_path), "piped"),
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout and "\r" not in done.stdout
    assert "\b" not in done.stdout
    lines = done.stdout.strip().splitlines()
    epochs = [line for line in lines if line.startswith("Epoch ")]
    assert len(epochs) == 2, done.stdout
    for n, line in enumerate(epochs, 1):
        assert re.match(rf"Epoch {n}/2 - \d+s - \d+ms/step - .*loss: \d\.\d{{4}} - "
                        r".*val_loss: \d\.\d{4}", line), line
    # The summary says what the phase lines (stderr) did not.
    assert "best epoch" not in done.stdout and "run directory" not in done.stdout
    assert lines[-1].startswith("seconds: ")
    assert "best epoch: " in done.stderr and "saved: " in done.stderr


@needs_keras
def test_train_on_a_terminal_draws_a_bar_that_never_passes_its_total(
        tmp_path_factory, tmp_path):
    """160 reviews in batches of 16: 10 steps an epoch, fewer than the 16
    steps per execution after which Keras reports (it showed 16/10)."""
    import pty
    import re

    data = str(tiny_imdb(tmp_path_factory))
    leader, follower = pty.openpty()
    with subprocess.Popen(_train_command(data, str(tmp_path), "tty"), stdout=follower,
                          stderr=subprocess.PIPE) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=600) == 0, err
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    counts = [(int(a), int(b)) for a, b in re.findall(r"(?<!Epoch )\b(\d+)/(\d+) ", plain)]
    assert counts and all(done <= total for done, total in counts), counts
    assert (10, 10) in counts
    assert not re.search(r"(?<![\d.])-\d+s", plain), plain  # no negative time left
    assert "\x1b[" in shown  # a real bar, drawn for a terminal


@needs_keras  # imdbfast._progress draws Keras' bar
def test_a_message_after_an_open_progress_line_starts_a_new_line(capsys, monkeypatch):
    from imdbfast import cli

    def interrupted_mid_epoch(args):
        from imdbfast import _progress

        print(" 3/10 ━━━━━━", end="", flush=True)
        monkeypatch.setattr(_progress, "_line_open", True)
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_presets", interrupted_mid_epoch)
    status, out, err = run_main(capsys, "presets")
    assert status == 130
    assert out == " 3/10 ━━━━━━\n" and err == "imdbfast: error: interrupted\n"


@needs_keras
def test_progress_caps_the_count_at_the_total(capsys, monkeypatch):
    from imdbfast._progress import Progress

    progress = Progress()
    progress._terminal = True
    progress.set_params({"verbose": 1, "epochs": 1, "steps": 7})
    progress.on_train_begin()
    progress.on_epoch_begin(0)
    progress.on_train_batch_end(15, {"loss": 0.5})  # steps_per_execution=16
    assert progress.seen == 7
    progress.on_epoch_end(0, {"loss": 0.5})
    out = capsys.readouterr().out
    assert "7/7" in out and "16/7" not in out and out.endswith("\n")
