"""The built-in studies: what the seed notebooks measured, with honest counts.

Every built-in study starts from the seed-000 baseline (learned embedding 128
-> BiLSTM 32, 20,000 tokens, 600 tokens per review, 10 epochs, 20 % of the
training reviews for validation) and runs two seeds per cell. The reference
figures are the test accuracies the seed notebooks printed (on the 25,000 test
reviews); they were single runs.
"""

from __future__ import annotations

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
    ]
    return {study.name: study for study in studies}


#: The built-in studies by name (``imdbfast experiment --list``).
BUILTIN_STUDIES: dict[str, Study] = _studies()


def builtin_study(name: str) -> Study:
    """The built-in study of that name.

    Raises:
        StudyError: if there is none.
    """
    if name not in BUILTIN_STUDIES:
        raise StudyError(
            f"unknown study. Expected a built-in study ({', '.join(BUILTIN_STUDIES)}) "
            f"or a .toml/.json study file. Received: {name!r}"
        )
    return BUILTIN_STUDIES[name]
