"""NLU ensembles: members merged into one ONNX graph that averages their logits, side by side or
stacked on a member axis."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from models.nlu.ensemble import StackedModel, build_ensemble, joint_models, merge_onnx, restack
from models.nlu.tag_prior import WEIGHTS as PRIOR_WEIGHTS
from models.nlu.tag_prior import tag_bigrams
from models.nlu.train import TrainConfig, run_training, training_data
from runtime.nlu.model import NluModel

ROOT = Path(__file__).resolve().parents[1]
TINY = TrainConfig(epochs=1, d_model=32, heads=2, ff=64, vocab_size=300)


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two tiny members trained alike except for their member seed, the second with the first's
    tokenizer (as run_ensemble does)."""
    root = tmp_path_factory.mktemp("members")
    run_training(root / "0", cfg=TINY, limit=300, progress=False)
    run_training(
        root / "1",
        cfg=replace(TINY, member=1),
        limit=300,
        progress=False,
        tokenizer=root / "0" / "tokenizer.json",
    )
    return [root / "0", root / "1"]


def _run(path: Path, ids: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})


def test_member_seeds_give_different_weights_and_the_same_token_ids(members: list[Path]) -> None:
    metas = [json.loads((d / "labels.json").read_text()) for d in members]
    assert metas[0]["vocab_digest"] == metas[1]["vocab_digest"]
    ids = np.array([[2, 10, 11, 12, 3]], dtype=np.int64)
    a, b = (_run(d / "nlu.fp32.onnx", ids)[0] for d in members)
    assert not np.allclose(a, b)


def test_the_merged_graph_averages_the_members_logits(members: list[Path], tmp_path: Path) -> None:
    merged = merge_onnx([d / "nlu.fp32.onnx" for d in members], tmp_path / "merged.onnx")
    ids = np.array([[2, 10, 11, 12, 13, 3], [2, 20, 21, 22, 23, 3]], dtype=np.int64)
    outs = [_run(d / "nlu.fp32.onnx", ids) for d in members]
    intent, slots = _run(merged, ids)
    np.testing.assert_allclose(intent, (outs[0][0] + outs[1][0]) / 2, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(slots, (outs[0][1] + outs[1][1]) / 2, rtol=1e-5, atol=1e-5)


def test_the_stacked_graph_computes_the_merged_one_with_fewer_nodes(
    members: list[Path], tmp_path: Path
) -> None:
    """Small models are stacked (one batched matmul per layer for all members): the same logits as
    the side-by-side graph, padding included, in fewer onnxruntime nodes; int8 with a scale per
    member and column stays close to fp32."""
    import onnx

    from models.nlu.export import export_onnx, quantize_int8

    meta = json.loads((members[0] / "labels.json").read_text())
    merged = merge_onnx([d / "nlu.fp32.onnx" for d in members], tmp_path / "merged.onnx")
    models = [
        joint_models(d / "nlu.fp32.onnx", json.loads((d / "labels.json").read_text()))[0] for d in members
    ]
    stacked = export_onnx(StackedModel(models), meta, tmp_path / "stacked.onnx")
    ids = np.array([[2, 10, 11, 12, 13, 3], [2, 20, 21, 3, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)

    def run(path: Path) -> list[np.ndarray]:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return session.run(None, {"input_ids": ids, "attention_mask": mask})

    for a, b in zip(run(merged), run(stacked), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    assert len(onnx.load(str(stacked)).graph.node) < len(onnx.load(str(merged)).graph.node) * 0.7
    int8 = quantize_int8(stacked, tmp_path / "stacked.int8.onnx", meta)
    weights = [i for i in onnx.load(str(int8)).graph.initializer if i.name.endswith("weight_scale")]
    assert weights and all(list(w.dims) == [2, 1, w.dims[-1]] for w in weights)  # member x column
    # int8 strays from fp32 no more than the side-by-side graph's int8 does (scales per member)
    merged_int8 = quantize_int8(merged, tmp_path / "merged.int8.onnx", meta)
    reference = run(merged)
    for a, b, c in zip(reference, run(int8), run(merged_int8), strict=True):
        assert np.abs(a - b).mean() < 2 * np.abs(a - c).mean()


def test_an_older_side_by_side_ensemble_is_restacked(members: list[Path], tmp_path: Path) -> None:
    """`python -m models.nlu.ensemble DIR` reads the members back out of a side-by-side graph (by
    their module names) and writes the stacked graph with the same outputs and labels."""
    _, valid, _ = training_data(None, None, TINY.seed, limit=300)
    build_ensemble(members, tmp_path, valid)  # stacked
    merge_onnx([d / "nlu.fp32.onnx" for d in members], tmp_path / "nlu.fp32.onnx")  # as before
    ids = np.array([[2, 10, 11, 12, 13, 3]], dtype=np.int64)
    before = _run(tmp_path / "nlu.fp32.onnx", ids)
    labels = (tmp_path / "labels.json").read_text()
    restack(tmp_path)
    for a, b in zip(before, _run(tmp_path / "nlu.fp32.onnx", ids), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    assert (tmp_path / "labels.json").read_text() == labels
    model = NluModel.load(tmp_path / "nlu.int8.onnx", tmp_path / "tokenizer.json")
    assert model.parse("turn on the kitchen light", n=1)
    with pytest.raises(ValueError, match="not train.py's model"):
        restack(tmp_path)  # already stacked
    merged = merge_onnx([d / "nlu.fp32.onnx" for d in members], tmp_path / "merged.onnx")
    with pytest.raises(ValueError, match="2 models in the file, 1 in its labels"):
        joint_models(merged, json.loads((members[0] / "labels.json").read_text()))


def test_an_ensemble_is_served_by_the_runtime(members: list[Path], tmp_path: Path) -> None:
    train, valid, _ = training_data(None, None, TINY.seed, limit=300)
    meta = build_ensemble(members, tmp_path, valid, train_set=train)
    assert meta["ensemble"]["members"] == 2
    assert meta["temperature"] > 0
    stored = json.loads((tmp_path / "labels.json").read_text())
    assert stored["temperature"] == meta["temperature"]
    for kind in ("fp32", "int8"):
        model = NluModel.load(tmp_path / f"nlu.{kind}.onnx", tmp_path / "tokenizer.json")
        best = model.parse("turn on the kitchen light", n=3)
        assert len(best) == 3 and best[0].intent in model.intents
        assert model.temperature == pytest.approx(meta["temperature"])
        assert model.tag_prior == meta["tag_prior"]  # fitted for the ensemble, from its sentences
    assert meta["tag_bigrams"] == tag_bigrams(train, meta["tags"])
    assert set(meta["tag_prior_valid"]) == {str(w) for w in PRIOR_WEIGHTS}


def test_members_with_other_token_ids_are_refused(members: list[Path], tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(members[1], other)
    labels = json.loads((other / "labels.json").read_text())
    labels["vocab_digest"] = "0" * len(labels["vocab_digest"])
    (other / "labels.json").write_text(json.dumps(labels))
    with pytest.raises(ValueError, match="vocab_digest differs"):
        build_ensemble([members[0], other], tmp_path / "out", [])
    with pytest.raises(ValueError, match="at least two"):
        merge_onnx([members[0] / "nlu.fp32.onnx"], tmp_path / "one.onnx")


def test_run_ensemble_trains_members_in_parallel_and_resumes(tmp_path: Path) -> None:
    from models.nlu.ensemble import run_ensemble

    meta, dirs = run_ensemble(tmp_path, 2, TINY, limit=300, jobs=2)
    assert meta["ensemble"]["members"] == 2 and [d.name for d in dirs] == ["0", "1"]
    digests = {json.loads((d / "labels.json").read_text())["vocab_digest"] for d in dirs}
    assert digests == {meta["vocab_digest"]}  # one tokenizer for all members
    model = NluModel.load(tmp_path / "nlu.int8.onnx", tmp_path / "tokenizer.json")
    assert model.parse("turn on the kitchen light", n=1)
    stamp = (dirs[1] / "nlu.int8.onnx").stat().st_mtime_ns
    run_ensemble(tmp_path, 2, TINY, limit=300, jobs=2)  # both members trained: only merged again
    assert (dirs[1] / "nlu.int8.onnx").stat().st_mtime_ns == stamp
    other = replace(TINY, epochs=2)
    with pytest.raises(ValueError, match=r"another recipe \(epochs: 1 -> 2\)"):
        run_ensemble(tmp_path, 2, other, limit=300, jobs=2)  # would mix two recipes
    assert (dirs[1] / "nlu.int8.onnx").stat().st_mtime_ns == stamp
    with pytest.raises(ValueError, match=r"another recipe \(member: 0 -> 2\)"):
        run_ensemble(tmp_path, 2, TINY, limit=300, jobs=2, first_member=2)  # other seeds: not a resume


def test_a_second_run_of_a_recipe_trains_the_next_members(tmp_path: Path) -> None:
    from models.nlu.ensemble import run_ensemble

    _, dirs = run_ensemble(tmp_path, 2, TINY, limit=300, jobs=2, first_member=2)
    stored = [json.loads((d / "labels.json").read_text())["train_config"]["member"] for d in dirs]
    assert stored == [2, 3] and [d.name for d in dirs] == ["0", "1"]


def test_members_with_one_token_table_store_it_once(members: list[Path], tmp_path: Path) -> None:
    """Frozen pretrained embeddings (`nlu-train --freeze-embeddings`) are one table in every member:
    the stacked graph stores it once, computes what the members compute, and is smaller."""
    import torch

    from models.nlu.export import export_onnx, quantize_int8

    meta = json.loads((members[0] / "labels.json").read_text())
    models = [
        joint_models(d / "nlu.fp32.onnx", json.loads((d / "labels.json").read_text()))[0] for d in members
    ]
    apart = export_onnx(StackedModel(models), meta, tmp_path / "apart.onnx")
    with torch.no_grad():
        models[1].tok.weight.copy_(models[0].tok.weight)
    stacked = StackedModel(models)
    assert tuple(stacked.tok.shape) == (models[0].tok.weight.shape[0], 1, models[0].tok.weight.shape[1])
    ids = torch.tensor([[2, 10, 11, 12, 13, 3], [2, 20, 21, 3, 0, 0]])
    mask = (ids != 0).long()
    with torch.no_grad():
        got = stacked(ids, mask)
        each = [m(ids, mask) for m in models]
    for i in (0, 1):
        torch.testing.assert_close(got[i], (each[0][i] + each[1][i]) / 2, rtol=1e-5, atol=1e-5)
    shared = export_onnx(stacked, meta, tmp_path / "shared.onnx")
    sizes = [quantize_int8(p, p.with_suffix(".int8.onnx"), meta).stat().st_size for p in (apart, shared)]
    assert sizes[1] < sizes[0]
    session = ort.InferenceSession(str(shared.with_suffix(".int8.onnx")), providers=["CPUExecutionProvider"])
    intent = session.run(None, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    np.testing.assert_allclose(intent, got[0].numpy(), atol=0.3)  # int8 stays near fp32


def test_members_can_keep_member_0s_trained_token_table(tmp_path: Path) -> None:
    """`nlu-train --share-embeddings`: member 0 trains first and the others keep its table, so the
    stacked graph stores one table; a table from a tokenizer that numbers tokens otherwise is refused."""
    import torch
    from tokenizers import Tokenizer

    from models.nlu.ensemble import run_ensemble
    from models.nlu.train import trained_token_table

    meta, dirs = run_ensemble(tmp_path, 3, TINY, limit=300, jobs=2, share_embeddings=True)
    models = [joint_models(d / "nlu.fp32.onnx", json.loads((d / "labels.json").read_text()))[0] for d in dirs]
    assert all(torch.equal(m.tok.weight, models[0].tok.weight) for m in models[1:])
    assert not torch.equal(models[1].pos.weight, models[0].pos.weight)  # the rest is their own
    configs = meta["ensemble"]["member_train_configs"]
    assert [c["embeddings_from"] for c in configs] == [None, "../0", "../0"]
    import onnx

    shapes = {i.name: list(i.dims) for i in onnx.load(str(tmp_path / "nlu.fp32.onnx")).graph.initializer}
    assert shapes["tok"] == [meta["vocab_size"], 1, TINY.d_model]  # one table in the served graph
    assert NluModel.load(tmp_path / "nlu.int8.onnx", tmp_path / "tokenizer.json").parse("turn on the light")
    committed = Tokenizer.from_file(str(ROOT / "models" / "nlu" / "tokenizer.json"))
    with pytest.raises(ValueError, match="numbers tokens differently"):
        trained_token_table(dirs[0], committed)
