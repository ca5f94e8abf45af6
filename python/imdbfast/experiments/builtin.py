"""The built-in studies: what the seed notebooks measured, with honest counts.

Every built-in study starts from the seed-000 baseline (learned embedding 128
-> BiLSTM 32, 20,000 tokens, 600 tokens per review, 10 epochs, 20 % of the
training reviews for validation) and runs two seeds per cell. The reference
figures are the test accuracies the seed notebooks printed (on the 25,000 test
reviews); they were single runs.

The ``presets`` study is the exception: it trains every training preset of
:mod:`imdbfast.config` with its own settings (:func:`presets_study`), and its
report draws test accuracy against training time beside the published
anchors of :data:`PUBLISHED_ANCHORS` (:data:`STUDY_ANCHORS`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from imdbfast.config import TrainConfig, preset_names
from imdbfast.experiments.study import Study, StudyError

# Seed 000's printed test accuracies.
_SEED000 = "seed 000, printed (one run)"

_SEED000_100_SAMPLES = (
    f"{_SEED000}: '100 samples', which were 100 batches of 32 (.take(100) on a "
    "batched dataset), i.e. 3,200 reviews"
)

#: Published figures measured on another number of training reviews than the
#: cell they are quoted beside: (study name, reference label) -> the number
#: of training reviews behind the figure. Plots draw them at that number.
REFERENCE_TRAIN_REVIEWS: dict[tuple[str, str], int] = {
    ("training-size", _SEED000_100_SAMPLES): 3200,
}
BASELINE = {
    "value": 0.862,
    "label": f"{_SEED000}: learned embedding, BiLSTM 32, 600 tokens",
}


@dataclasses.dataclass(frozen=True)
class Anchor:
    """A published test accuracy on IMDB, drawn as a horizontal line.

    Attributes:
        value: the test accuracy (25,000 test reviews).
        label: the short name printed beside the line (with the value).
        source: where the figure is published.
    """

    value: float
    label: str
    source: str


#: Published IMDB test accuracies of models of the fast linear / classic
#: class (no transformers, no extra data beyond what each paper states),
#: the bars the ``presets`` study is measured against (issue 25).
PUBLISHED_ANCHORS: tuple[Anchor, ...] = (
    Anchor(
        0.9122,
        "NBSVM bigrams",
        "Wang & Manning 2012, 'Baselines and Bigrams' (NBSVM-bi)",
    ),
    Anchor(
        0.9187,
        "NBSVM trigrams",
        "Mesnil et al. 2015, 'Ensemble of Generative and Discriminative "
        "Techniques for Sentiment Analysis of Movie Reviews' (NBSVM-uni+bi+tri)",
    ),
    Anchor(
        0.925,
        "keras-nbsvm",
        "amaiya/keras-nbsvm: NB-weighted logistic regression in Keras on "
        "1-3-grams (README)",
    ),
    Anchor(
        0.9257,
        "Mesnil et al. ensemble",
        "Mesnil et al. 2015: paragraph vectors + RNN LM + NBSVM ensemble",
    ),
    Anchor(
        0.9368,
        "Bingyu & Arefyev",
        "Bingyu & Arefyev 2022, 'The Document Vectors Using Cosine Similarity "
        "Revisited': DV-ngrams-cosine + NB-weighted n-grams",
    ),
)

#: Study name -> the anchors its accuracy-vs-training-time chart draws.
STUDY_ANCHORS: dict[str, tuple[Anchor, ...]] = {"presets": PUBLISHED_ANCHORS}


def glove_presets() -> list[str]:
    """The training presets whose embedding starts from GloVe vectors."""
    return [name for name in preset_names() if TrainConfig.preset(name).uses_glove]


def presets_study(*, glove: bool = False, names: Sequence[str] | None = None) -> Study:
    """The ``presets`` study: every training preset, two seeds each.

    Args:
        glove: also train the GloVe presets (:func:`glove_presets`); the
            command line sets it when ``--glove`` gives a GloVe file.
        names: the presets to train, in this order (default: every preset
            of :func:`imdbfast.config.preset_names`, the GloVe ones only
            with ``glove``).

    Returns:
        A study with one ``preset`` axis, each cell the preset's own
        settings (the options still override them, as in every study).
    """
    if names is None:
        skipped = set() if glove else set(glove_presets())
        names = [name for name in preset_names() if name not in skipped]
    return Study(
        "presets",
        {"preset": list(names)},
        repeats=2,
        description="every training preset of imdbfast.config with its own "
        "settings: the linear n-gram models, fastText, the BiLSTM, LSTM, "
        "attention and Flatten models; the GloVe presets only when --glove "
        "names the vectors (so that no run starts a download unasked); the "
        "ensembles (imdbfast.ensembles.ENSEMBLE_PRESETS) are not runs of one "
        "TrainConfig, which is all a study cell trains. The report draws test "
        "accuracy against training time (model build + fit) beside published "
        "anchors",
    )


def _studies() -> dict[str, Study]:
    studies = [
        Study(
            "sequence-length",
            {"sequence_length": [150, 600]},
            preset="bilstm-learned",
            repeats=2,
            description="reviews cut to 150 or 600 tokens (seed 000)",
            references=[
                {
                    "where": {"sequence_length": 150},
                    "value": 0.825,
                    "label": f"{_SEED000}: 150 tokens",
                },
                {"where": {"sequence_length": 600}, **BASELINE},
            ],
        ),
        Study(
            "vocabulary",
            {"max_tokens": [10000, 20000]},
            preset="bilstm-learned",
            repeats=2,
            description="vocabulary of 10,000 or 20,000 tokens (seed 000)",
            references=[
                {
                    "where": {"max_tokens": 10000},
                    "value": 0.871,
                    "label": f"{_SEED000}: 10k vocabulary",
                },
                {"where": {"max_tokens": 20000}, **BASELINE},
            ],
        ),
        Study(
            "training-size",
            {
                "train_size": [100, 500, 1000, 5000, "all"],
                "embeddings": ["learned", "glove", "glove-finetune"],
            },
            preset="bilstm-learned",
            repeats=2,
            description="accuracy against the number of training reviews (stratified), "
            "for learned, frozen GloVe and fine-tuned GloVe embeddings",
            references=[
                {"where": {"train_size": "all", "embeddings": "learned"}, **BASELINE},
                {
                    "where": {"train_size": "all", "embeddings": "glove"},
                    "value": 0.878,
                    "label": f"{_SEED000}: frozen GloVe 100d (these cells use the 50d "
                    "vectors)",
                },
                {
                    "where": {"train_size": 100, "embeddings": "learned"},
                    "value": 0.764,
                    "label": _SEED000_100_SAMPLES,
                },
            ],
        ),
        Study(
            "validation-size",
            {"validation_split": [0.1, 0.2, 0.3]},
            preset="bilstm-learned",
            repeats=2,
            description="fraction of the training reviews held out for validation "
            "(seed 000 holds out 20 %)",
            references=[{"where": {"validation_split": 0.2}, **BASELINE}],
        ),
        Study(
            "models",
            {
                "architecture": {
                    "bilstm": {"preset": "bilstm-learned"},
                    "flatten": {"preset": "flatten-learned"},
                    "deep_bilstm_attention": {"preset": "attention-learned"},
                    "lstm": {"preset": "lstm-learned"},
                }
            },
            repeats=2,
            description="the four seed architectures, each with its seed's settings: "
            "BiLSTM (000), Embedding-Flatten-Dense (001), attention BiLSTM (003), "
            "LSTM (004)",
            references=[{"where": {"architecture": "bilstm"}, **BASELINE}],
        ),
        presets_study(),
    ]
    return {study.name: study for study in studies}


#: The built-in studies by name (``imdbfast experiment --list``).
BUILTIN_STUDIES: dict[str, Study] = _studies()


def builtin_study(name: str, *, glove: bool = False) -> Study:
    """The built-in study of that name.

    Args:
        name: a key of :data:`BUILTIN_STUDIES`.
        glove: a GloVe file was given (``--glove``): the ``presets`` study
            then trains the GloVe presets too (:func:`presets_study`).

    Raises:
        StudyError: if there is none.
    """
    if name not in BUILTIN_STUDIES:
        raise StudyError(
            f"unknown study. Expected a built-in study ({', '.join(BUILTIN_STUDIES)}) "
            f"or a .toml/.json study file. Received: {name!r}"
        )
    if glove and name == "presets":
        return presets_study(glove=True)
    return BUILTIN_STUDIES[name]
