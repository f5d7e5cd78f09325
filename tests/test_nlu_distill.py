"""Knowledge distillation: a teacher model's intent probabilities as soft training targets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from models.nlu.data import Example
from models.nlu.distill import agreement, distill_loss, teacher_probabilities
from models.nlu.train import TrainConfig, run_training
from runtime.nlu.model import NluModel

ROOT = Path(__file__).resolve().parent.parent
TINY = TrainConfig(epochs=1, d_model=32, heads=2, ff=64, vocab_size=300, noise=0.2)
SENTENCES = [
    Example(["turn", "on", "the", "kitchen", "light"], ["O", "O", "O", "B-area", "B-name"], "HassTurnOn"),
    Example(["what", "is", "the", "weather"], ["O"] * 4, "HassGetWeather"),
]


@pytest.fixture(scope="module")
def teacher(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("teacher")
    run_training(root, cfg=TINY, limit=400, progress=False)
    return root


def test_the_loss_is_zero_at_the_target_and_pulls_towards_it() -> None:
    targets = torch.tensor([[0.7, 0.2, 0.1]])
    at_target = torch.log(targets) * 2.0  # softmax(at_target / 2) == targets
    assert float(distill_loss(at_target, targets, temperature=2.0)) == pytest.approx(0.0, abs=1e-6)
    student = torch.zeros(1, 3, requires_grad=True)
    loss = distill_loss(student, targets, temperature=2.0)
    assert float(loss.detach()) > 0
    loss.backward()
    assert student.grad is not None
    assert int(student.grad.argmin()) == 0  # gradient descent raises the teacher's favourite


def test_probabilities_are_the_teachers_calibrated_softmax_in_the_students_order(teacher: Path) -> None:
    meta = json.loads((teacher / "labels.json").read_text())
    intents = list(reversed(meta["intents"]))
    probs = teacher_probabilities(teacher, SENTENCES, intents, temperature=1.0, progress=False)
    assert probs.shape == (2, len(intents))
    np.testing.assert_allclose(probs.sum(-1).numpy(), 1.0, rtol=1e-5)
    model = NluModel.load(teacher / "nlu.fp32.onnx", teacher / "tokenizer.json")
    for row, ex in zip(probs, SENTENCES, strict=True):
        best = model.parse_words(ex.words, n=1)[0]
        assert intents[int(row.argmax())] == best.intent
        assert float(row.max()) == pytest.approx(best.score, abs=1e-4)
    softer = teacher_probabilities(teacher, SENTENCES, intents, temperature=4.0, progress=False)
    assert float(softer.max(-1).values[0]) < float(probs.max(-1).values[0])
    assert 0.0 <= agreement(probs, SENTENCES, intents) <= 1.0


def test_a_teacher_must_know_every_intent_and_be_a_trained_directory(teacher: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="HassMadeUp"):
        teacher_probabilities(teacher, SENTENCES, ["HassMadeUp"], progress=False)
    with pytest.raises(FileNotFoundError, match="nlu.fp32.onnx"):
        teacher_probabilities(tmp_path, SENTENCES, ["HassTurnOn"], progress=False)


def test_a_distilled_student_records_its_teacher_and_differs_from_one_without(
    teacher: Path, tmp_path: Path
) -> None:
    plain, _ = run_training(tmp_path / "plain", cfg=TINY, limit=400, progress=False)
    cfg = replace(TINY, teacher=str(teacher), distill=1.0)
    taught, _ = run_training(tmp_path / "taught", cfg=cfg, limit=400, progress=False)
    assert taught.meta["train_config"]["teacher"] == str(teacher)
    a, b = (r.model.intent.weight.detach() for r in (plain, taught))
    assert not torch.allclose(a, b)


def test_the_cli_refuses_a_bad_teacher_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from runtime.cli import main

    out = tmp_path / "out"
    assert main(["nlu-train", "--teacher", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert "not a trained model directory" in capsys.readouterr().out
    teacher = ["nlu-train", "--teacher", str(ROOT / "models" / "nlu"), "--out", str(out)]
    assert main([*teacher, "--distill", "1.5"]) == 2
    assert "--distill 1.5" in capsys.readouterr().out
    assert main([*teacher, "--distill-temperature", "0"]) == 2
    assert "--distill-temperature 0" in capsys.readouterr().out
    assert main([*teacher, "--encoder", "minilm"]) == 2
    assert "does not go with --encoder" in capsys.readouterr().out
    assert not out.exists()
