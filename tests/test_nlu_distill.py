"""Knowledge distillation: a teacher model's intent and slot tag probabilities as soft training targets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from models.nlu.data import Example
from models.nlu.distill import (
    agreement,
    distill_loss,
    slot_distill_loss,
    tag_targets,
    teacher_probabilities,
    teacher_tag_probabilities,
)
from models.nlu.train import TrainConfig, run_training
from runtime.nlu.model import NluModel

ROOT = Path(__file__).resolve().parent.parent
# one draw of noisy copies: a teacher's targets are computed for it
TINY = TrainConfig(epochs=1, d_model=32, heads=2, ff=64, vocab_size=300, noise=0.2, fresh_noise=False)
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


def test_tag_probabilities_are_the_teachers_per_word_softmax_in_the_students_order(teacher: Path) -> None:
    meta = json.loads((teacher / "labels.json").read_text())
    tags = [*reversed(meta["tags"]), "B-made_up"]
    rows = teacher_tag_probabilities(teacher, SENTENCES, tags, temperature=1.0, progress=False)
    model = NluModel.load(teacher / "nlu.fp32.onnx", teacher / "tokenizer.json")
    for row, ex in zip(rows, SENTENCES, strict=True):
        assert row.shape == (len(ex.words), len(tags))
        _, slot_logp, _ = model.predict(ex.words)
        served = np.exp(slot_logp)[:, [model.tags.index(t) for t in tags[:-1]]]
        np.testing.assert_allclose(row[:, :-1].numpy(), served, atol=1e-4)
        assert float(row[:, -1].max()) == 0.0  # a tag the teacher does not have
    softer = teacher_tag_probabilities(teacher, SENTENCES, tags, temperature=4.0, progress=False)
    assert float(softer[0].max()) < float(rows[0].max())
    with pytest.raises(ValueError, match="must both have O"):
        teacher_tag_probabilities(teacher, SENTENCES, ["B-area", "I-area"], progress=False)


def test_tag_targets_sit_at_each_words_first_token_and_pull_the_student_towards_them() -> None:
    rows = [torch.tensor([[0.9, 0.1], [0.2, 0.8]]), torch.tensor([[0.5, 0.5]])]
    firsts = torch.tensor([[False, True, False, True, False], [False, True, False, False, False]])
    targets = tag_targets(rows, firsts)
    assert targets.shape == (2, 5, 2)
    torch.testing.assert_close(targets[0, 1], rows[0][0])
    torch.testing.assert_close(targets[0, 3], rows[0][1])
    torch.testing.assert_close(targets[1, 1], rows[1][0])
    assert float(targets[0, [0, 2, 4]].abs().sum()) == 0.0  # [CLS], a word's later token, [SEP]
    at_target = torch.log(targets.clamp_min(1e-9))
    assert float(slot_distill_loss(at_target, targets)) == pytest.approx(0.0, abs=1e-5)
    student = torch.zeros(2, 5, 2, requires_grad=True)
    loss = slot_distill_loss(student, targets)
    assert float(loss.detach()) > 0
    loss.backward()
    assert student.grad is not None
    assert float(student.grad[0, 0].abs().sum()) == 0.0  # tokens without a target get no gradient
    assert float(student.grad[0, 1, 0]) < 0  # the teacher's favourite tag is raised


def test_a_slot_distilled_student_differs_from_one_without(teacher: Path, tmp_path: Path) -> None:
    cfg = replace(TINY, teacher=str(teacher), distill=0.0)
    plain, _ = run_training(tmp_path / "plain", cfg=cfg, limit=400, progress=False)
    taught, _ = run_training(
        tmp_path / "taught", cfg=replace(cfg, distill_slots=1.0), limit=400, progress=False
    )
    assert taught.meta["train_config"]["distill_slots"] == 1.0
    a, b = (r.model.slots.weight.detach() for r in (plain, taught))
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
    assert main([*teacher, "--distill-slots", "-0.1"]) == 2
    assert "--distill-slots -0.1" in capsys.readouterr().out
    assert main(["nlu-train", "--distill-slots", "0.5", "--out", str(out)]) == 2
    assert "needs a --teacher" in capsys.readouterr().out
    assert main([*teacher, "--distill-temperature", "0"]) == 2
    assert "--distill-temperature 0" in capsys.readouterr().out
    assert main([*teacher, "--encoder", "minilm"]) == 2
    assert "does not go with --encoder" in capsys.readouterr().out
    assert not out.exists()
