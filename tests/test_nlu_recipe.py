"""`nlu-train` picks the recipe for the data it is given, and README.md's Snips command trains what the
Snips benchmark trains (so the benchmark's figures can be reproduced from the README)."""

from __future__ import annotations

import inspect
import shlex
from pathlib import Path
from typing import Any

import pytest

from models.nlu import encoder, ensemble, train
from runtime.cli import main

ROOT = Path(__file__).resolve().parent.parent


class Captured(ValueError):
    """Raised by the stand-in trainers once they have the config: nothing trains in these tests."""


def capture(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, calls: list[dict[str, Any]] | None = None
) -> list[Any]:
    """The configs the stand-in for `module.name` is given; each call's arguments, by name, in `calls`."""
    configs: list[Any] = []
    signature = inspect.signature(getattr(module, name))

    def trainer(*args: Any, **kwargs: Any) -> Any:
        configs.append(next(a for a in (*args, *kwargs.values()) if isinstance(a, train.TrainConfig)))
        if calls is not None:
            calls.append(signature.bind(*args, **kwargs).arguments)
        raise Captured("captured the config")

    monkeypatch.setattr(module, name, trainer)
    return configs


def dataset(tmp_path: Path) -> Path:
    (tmp_path / "data" / "train").mkdir(parents=True, exist_ok=True)
    return tmp_path / "data"


def test_a_dataset_trains_with_the_dataset_recipe_and_the_templates_with_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = capture(monkeypatch, train, "run_training")
    out = str(tmp_path / "out")
    assert main(["nlu-train", "--data", str(dataset(tmp_path)), "--out", out]) == 2
    assert main(["nlu-train", "--out", out]) == 2
    assert main(["nlu-train", "--data", str(dataset(tmp_path)), "--noise", "0.5", "--out", out]) == 2
    with_data, templates, noisier = configs
    assert with_data == train.dataset_config() and with_data.d_model == 192 and with_data.noise == 0.1
    assert templates == train.TrainConfig() and templates.noise == 1.0
    assert noisier == train.dataset_config(noise=0.5)  # a flag still overrides the recipe


def _readme_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mark: str,
    swap: dict[str, str] | None = None,
    calls: list[dict[str, Any]] | None = None,
) -> tuple[list[str], Any]:
    """README.md's `nlu-train` line containing `mark`, as arguments (paths in `swap` replaced, --out
    in `tmp_path`), and the config it trains (nothing trains; run_ensemble's arguments in `calls`)."""
    readme = (ROOT / "README.md").read_text().splitlines()
    line = next(s for s in readme if s.startswith(".venv/bin/ambient nlu-train") and mark in s)
    args = [(swap or {}).get(a, a) for a in shlex.split(line.split("#")[0])[1:]]  # without .venv/bin/ambient
    if "--out" in args:
        args[args.index("--out") + 1] = str(tmp_path / "out")
    else:
        args += ["--out", str(tmp_path / "out")]
    monkeypatch.setattr(encoder, "minilm_dir", lambda: tmp_path)  # MiniLM's package may be absent here
    configs = capture(monkeypatch, ensemble, "run_ensemble", calls)
    assert main(args) == 2
    return args, configs[0]


def test_the_readme_snips_command_trains_the_benchmark_recipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.nlu import snips_config

    teacher = ROOT / "models" / "nlu"  # any trained model directory passes the teacher check
    swap = {"../shared/data/snips": str(dataset(tmp_path)), "/tmp/snips-minilm": str(teacher)}
    args, config = _readme_run(tmp_path, monkeypatch, "the Snips benchmark's recipe", swap)
    assert args[0] == "nlu-train" and "--members" in args
    assert config == snips_config(teacher)


# README's line -> (hold_out_test, hold_out_valid) of the config it trains
HELD_OUT = {"as committed": (True, False), "--train-on-test": (False, False), "/tmp/measured": (True, True)}


@pytest.mark.parametrize("mark", sorted(HELD_OUT))
def test_the_readme_commands_train_the_committed_recipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mark: str
) -> None:
    """README's command for the committed model trains its recipe (its first member's seed too); a
    model to serve with the test templates too, and the recipe as measured on validation, are that
    recipe with which templates it holds out changed, and nothing else."""
    import json
    from dataclasses import asdict

    meta = json.loads((ROOT / "models" / "nlu" / "labels.json").read_text())
    measured = meta["train_config"]
    calls: list[dict[str, Any]] = []
    args, config = _readme_run(tmp_path, monkeypatch, mark, calls=calls)
    got = asdict(config)
    first = int(args[args.index("--first-member") + 1]) if "--first-member" in args else 0
    assert (got["hold_out_test"], got["hold_out_valid"]) == HELD_OUT[mark]
    assert first == measured["member"]  # the ensemble's first member names the run
    same = [k for k in measured if k not in ("hold_out_test", "hold_out_valid", "member")]
    assert {k: got[k] for k in same} == {k: measured[k] for k in same}
    # as many members, sharing member 0's token table as the committed ones do
    members = meta["ensemble"]["member_train_configs"]
    assert calls[0]["members"] == len(members)
    shared = [bool(c.get("embeddings_from")) for c in members[1:]]
    assert shared == [calls[0]["share_embeddings"]] * len(shared)


def test_train_on_test_is_for_the_small_model_on_our_templates(tmp_path: Path) -> None:
    assert main(["nlu-train", "--train-on-test", "--data", str(dataset(tmp_path))]) == 2
    assert main(["nlu-train", "--train-on-test", "--encoder", "minilm"]) == 2


def _relabelled(tmp_path: Path, flag: str) -> Path:
    """The committed model's files, labelled as trained with `flag` off: "hold_out_test" for a
    `--train-on-test` model, "hold_out_valid" for a `--train-on-valid` one (the other split held out,
    as those recipes hold it)."""
    import json
    import shutil

    model = tmp_path / "served"
    model.mkdir()
    for name in ("nlu.int8.onnx", "tokenizer.json"):
        shutil.copy(ROOT / "models" / "nlu" / name, model / name)
    meta = json.loads((ROOT / "models" / "nlu" / "labels.json").read_text())
    meta["train_config"] |= {"hold_out_test": True, "hold_out_valid": True, flag: False}
    (model / "labels.json").write_text(json.dumps(meta))
    return model


def test_a_model_trained_on_the_test_templates_is_scored_on_validation_and_new_test_sentences(
    tmp_path: Path,
) -> None:
    from benchmarks.nlu import held_out_fills, split_figures

    served = _relabelled(tmp_path, "hold_out_test")
    with pytest.raises(ValueError, match="trained on the held-out test templates"):
        held_out_fills([served], 1)
    figures = split_figures([served])[str(served)]
    assert "test" not in figures and "noisy_test" not in figures
    # scored on the validation sentences and new sentences of the test templates it never trained on
    assert figures["n_valid"] > 1000 and figures["n_test_templates_new_sentences"] > 1000
    assert figures["n_test_templates_new_sentences"] < figures["n_test"]
    assert figures["test_templates_new_sentences"]["intent_acc"] > 0.9
    assert figures["grammar"]["n"] > 1000 and figures["grammar"]["intent_acc"] > 0.9
    # where it goes wrong on validation, most frequent first
    errors = figures["valid_errors"]["noisy_valid"]
    assert errors and all(gold != read and count > 0 for gold, read, count in errors)
    assert [count for _, _, count in errors] == sorted((count for _, _, count in errors), reverse=True)


def test_top_confusions_are_the_errors_most_frequent_first() -> None:
    from benchmarks.nlu import top_confusions

    table = {"A": {"A": 9, "B": 1, "C": 3}, "B": {"B": 5, "A": 3}}
    assert top_confusions(table) == [("A", "C", 3), ("B", "A", 3), ("A", "B", 1)]
    assert top_confusions(table, n=1) == [("A", "C", 3)]


def test_a_model_trained_on_the_validation_templates_is_scored_on_the_test_sets_only(
    tmp_path: Path,
) -> None:
    from benchmarks.nlu import split_figures

    model = _relabelled(tmp_path, "hold_out_valid")
    both = split_figures([ROOT / "models" / "nlu", model])
    figures = both[str(model)]
    assert not [name for name in figures if "valid" in name and not name.startswith("n_")]
    assert figures["n_test"] > 3000 and figures["test"]["intent_acc"] > 0.9
    assert "noisy_test" in figures and figures["grammar"]["n"] > 1000
    # the second model is compared with the first sentence by sentence, on the splits both were
    # scored on; a copy of it differs on none
    assert "intent_vs_first" not in both[str(ROOT / "models" / "nlu")]
    same = {"lost": 0, "gained": 0, "p": 1.0}
    assert figures["intent_vs_first"] == {"test": same, "noisy_test": same}


def test_train_on_valid_is_for_the_small_model_on_our_templates(tmp_path: Path) -> None:
    assert main(["nlu-train", "--train-on-valid", "--data", str(dataset(tmp_path))]) == 2
    assert main(["nlu-train", "--train-on-valid", "--encoder", "minilm"]) == 2


@pytest.mark.parametrize("fresh", [False, True])
def test_fresh_noise_draws_the_noisy_copies_anew_every_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh: bool
) -> None:
    draws: list[list[Any]] = []
    noisy_training_set = train.noisy_training_set

    def recorded(*args: Any) -> list[Any]:
        draws.append(noisy_training_set(*args))
        return draws[-1]

    monkeypatch.setattr(train, "noisy_training_set", recorded)
    cfg = train.TrainConfig(epochs=3, fresh_noise=fresh, d_model=32, ff=64, vocab_size=300)
    train.run_training(tmp_path / "out", None, None, cfg, limit=150, progress=False)
    assert len(draws) == (3 if fresh else 1)
    # as many sentences each time (every one has a copy), with other ASR errors in the copies
    assert all(len(d) == len(draws[0]) for d in draws)
    assert len({tuple(ex.words for ex in d) for d in draws}) == len(draws)


def test_fresh_noise_is_the_small_models_default_but_not_with_a_teacher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configs = capture(monkeypatch, train, "run_training")
    out = str(tmp_path / "out")
    teacher = str(ROOT / "models" / "nlu")  # any trained model directory passes the teacher check
    assert main(["nlu-train", "--out", out]) == 2  # the stand-in trainer's error
    assert main(["nlu-train", "--no-fresh-noise", "--out", out]) == 2
    assert main(["nlu-train", "--teacher", teacher, "--out", out]) == 2
    assert main(["nlu-train", "--data", str(dataset(tmp_path)), "--out", out]) == 2
    default, once, taught, typed = configs
    assert default.fresh_noise and default == train.TrainConfig()
    assert once == train.TrainConfig(fresh_noise=False)
    # a teacher's targets are computed for one draw of the copies
    assert taught.teacher == teacher and not taught.fresh_noise
    assert not typed.fresh_noise  # the dataset recipe was chosen on Snips without it
    assert main(["nlu-train", "--fresh-noise", "--encoder", "minilm", "--out", out]) == 2
    assert main(["nlu-train", "--fresh-noise", "--teacher", teacher, "--out", out]) == 2
    assert len(configs) == 4  # neither reached a trainer


def test_width_sets_the_small_models_width_and_its_feed_forward_layer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configs = capture(monkeypatch, ensemble, "run_ensemble")
    out = str(tmp_path / "out")
    assert main(["nlu-train", "--members", "5", "--width", "88", "--out", out]) == 2
    assert (
        main(["nlu-train", "--members", "2", "--data", str(dataset(tmp_path)), "--width", "96", "--out", out])
        == 2
    )
    narrow, typed = configs
    assert narrow == train.TrainConfig(d_model=88, ff=176)  # nothing else changes
    assert typed == train.dataset_config(d_model=96, ff=192)
    for bad in (["--width", "90"], ["--width", "0"], ["--width", "64", "--encoder", "minilm"]):
        assert main(["nlu-train", *bad, "--out", out]) == 2
    assert len(configs) == 2  # none of them reached a trainer
    assert "expected a multiple of 4" in capsys.readouterr().out
    assert main(["nlu-train", "--freeze-embeddings", "--out", out]) == 2  # nothing pretrained to keep
    assert "give --init-embeddings" in capsys.readouterr().out and len(configs) == 2


def test_share_embeddings_reaches_the_ensemble_and_needs_members(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, ...]] = []

    def trainer(*args: Any) -> Any:
        calls.append(args)
        raise Captured("captured the call")

    monkeypatch.setattr(ensemble, "run_ensemble", trainer)
    out = str(tmp_path / "out")
    assert main(["nlu-train", "--members", "5", "--share-embeddings", "--out", out]) == 2
    assert main(["nlu-train", "--members", "3", "--out", out]) == 2
    assert [call[-1] for call in calls] == [True, False]  # run_ensemble's share_embeddings
    for bad in (
        ["--share-embeddings"],  # one model has nothing to share
        ["--members", "3", "--share-embeddings", "--init-embeddings", "static", "--freeze-embeddings"],
        ["--members", "3", "--share-embeddings", "--encoder", "minilm"],
    ):
        assert main(["nlu-train", *bad, "--out", out]) == 2
    assert len(calls) == 2  # none of them reached a trainer
