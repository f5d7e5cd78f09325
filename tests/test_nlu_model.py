"""The committed int8 NLU model: parses commands, rejects what it should, survives bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from runtime.config import Config
from runtime.events import Interpretation
from runtime.nlu import intents as I
from runtime.nlu.model import NluError, NluModel
from runtime.nlu.text import MAX_WORDS

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models" / "nlu"
INT8 = MODELS / "nlu.int8.onnx"
TOKENIZER = MODELS / "tokenizer.json"


@pytest.fixture(scope="module")
def nlu() -> NluModel:
    return NluModel.load(INT8, TOKENIZER)


def test_turn_on_the_kitchen_light(nlu: NluModel) -> None:
    best = nlu.parse("turn on the kitchen light")
    assert best[0].intent == "HassTurnOn"
    # convention (MODEL_CARD.md): "<area> <domain word>" is area + domain; the resolver joins them
    slots = {s.name: (s.value, s.start, s.end) for s in best[0].slots}
    assert slots == {"area": ("kitchen", 3, 4), "domain": ("light", 4, 5)}  # word spans, end exclusive
    assert best[0].text == "turn on the kitchen light"
    assert best[0].score > 0.8


def test_nbest_is_sorted_and_calibrated(nlu: NluModel) -> None:
    best = nlu.parse("Turn OFF the floor lamp, please!", n=5)
    assert len(best) == 5 and best[0].intent == "HassTurnOff"
    scores = [b.score for b in best]
    assert scores == sorted(scores, reverse=True)
    assert 0 < sum(scores) <= 1.0 + 1e-6
    assert len({b.intent for b in best}) == 5
    assert nlu.temperature > 0 and nlu.parse("turn off the tv", n=1)[0].intent == "HassTurnOff"


# (text, intent, expected slots) -- varied phrasings, several not literally in any template
COMMANDS: list[tuple[str, str, dict[str, str]]] = [
    ("turn on the kitchen light", "HassTurnOn", {"area": "kitchen", "domain": "light"}),
    ("turn on the chandelier", "HassTurnOn", {"name": "chandelier"}),
    ("switch off the coffee maker", "HassTurnOff", {"name": "coffee maker"}),
    ("turn on the coffee maker", "HassTurnOn", {"name": "coffee maker"}),
    ("turn it off", "HassTurnOff", {}),  # sentences/commands.yaml: the last device
    ("turn on the jacuzzi", "HassTurnOn", {"name": "jacuzzi"}),  # a device no training list has
    ("switch off the zorblat", "HassTurnOff", {"name": "zorblat"}),
    ("turn off all the lights in the bedroom", "HassTurnOff", {"area": "bedroom"}),
    ("lights on in the living room", "HassTurnOn", {"area": "living room"}),
    (
        "set the floor lamp brightness to 40 percent",
        "HassLightSet",
        {"name": "floor lamp", "brightness": "40"},
    ),
    ("dim the living room light to twenty percent", "HassLightSet", {}),
    ("make the kitchen light red", "HassLightSet", {"color": "red"}),
    ("what's the temperature in the office", "HassClimateGetTemperature", {"area": "office"}),
    ("set the thermostat to 21 degrees", "HassClimateSetTemperature", {"temperature": "21"}),
    ("what's the weather like", "HassGetWeather", {}),
    ("what time is it", "HassGetCurrentTime", {}),
    ("what's the date today", "HassGetCurrentDate", {}),
    ("set a timer for 10 minutes", "HassStartTimer", {"minutes": "10"}),
    ("start a timer for five minutes", "HassStartTimer", {"minutes": "five"}),
    ("cancel the timer", "HassCancelTimer", {}),
    ("how much time is left on my timer", I.OUT_OF_DOMAIN, {}),  # no handler: merged (MODEL_CARD.md)
    ("pause the music", "HassMediaPause", {}),
    ("resume the music", "HassMediaUnpause", {}),
    ("next song", "HassMediaNext", {}),
    ("set the volume to 30 percent", "HassSetVolume", {"volume_level": "30"}),
    ("play the hunger games", "HassMediaSearchAndPlay", {"search_query": "the hunger games"}),
    ("is the front door locked", "HassGetState", {}),
    ("open the living room blinds", "HassTurnOn", {}),
    ("close the garage door", "HassTurnOff", {}),
    ("add milk to my shopping list", I.OUT_OF_DOMAIN, {}),
    ("never mind", "HassNevermind", {}),
    ("no that's wrong", I.NEGATIVE_FEEDBACK, {}),
    ("that's not what i meant", I.NEGATIVE_FEEDBACK, {}),
    ("stop", I.STOP, {}),
    ("be quiet", I.STOP, {}),
    ("learn my preferences", I.LEARN_PREFERENCES, {}),
    ("i like jazz", I.TEACH_PREFERENCE, {"preference": "jazz"}),
    (
        "when i say movie time turn on the tv",
        I.TEACH_COMMAND,
        {"phrase": "movie time", "command": "turn on the tv"},
    ),
]


def test_varied_commands_reach_the_accuracy_bound(nlu: NluModel) -> None:
    intent_ok, slots_ok, misses = 0, 0, []
    for text, intent, slots in COMMANDS:
        top = nlu.parse(text)[0]
        got = {s.name: s.value for s in top.slots}
        intent_ok += top.intent == intent
        slots_ok += top.intent == intent and all(got.get(k) == v for k, v in slots.items())
        if top.intent != intent or any(got.get(k) != v for k, v in slots.items()):
            misses.append((text, top.intent, got))
    assert intent_ok >= 0.9 * len(COMMANDS), misses
    assert slots_ok >= 0.85 * len(COMMANDS), misses


OUT_OF_DOMAIN = [
    "what is the meaning of life",
    "who was the first president of the united states",
    "tell me a joke",
    "how do i bake sourdough bread",
    "my sister is visiting next week",
    "what is the capital of portugal",
    "why is the sky blue",
    "can you recommend a good book",
    "i had a strange dream last night",
    "how many legs does a spider have",
]


def _rejected(best: list[Interpretation], threshold: float) -> bool:
    return best[0].intent == I.OUT_OF_DOMAIN or best[0].score < threshold


def test_out_of_domain_is_rejected(nlu: NluModel) -> None:
    rejected = [text for text in OUT_OF_DOMAIN if _rejected(nlu.parse(text), nlu.reject_threshold)]
    assert len(rejected) >= 0.8 * len(OUT_OF_DOMAIN), set(OUT_OF_DOMAIN) - set(rejected)
    # and commands are not rejected
    commands = [t for t, intent, _ in COMMANDS if intent != I.OUT_OF_DOMAIN]
    accepted = [t for t in commands if not _rejected(nlu.parse(t), nlu.reject_threshold)]
    assert len(accepted) >= 0.9 * len(commands)
    ood = nlu.parse("what is the meaning of life")[0]
    assert ood.intent != I.OUT_OF_DOMAIN or ood.slots == []


def test_bad_text_never_crashes(nlu: NluModel) -> None:
    assert nlu.parse("") == []
    assert nlu.parse("   \n\t ") == []
    assert nlu.parse("?!...") == []
    assert nlu.parse("turn on the light", n=0) == []
    long = nlu.parse("turn on the kitchen light " * 2000)  # 10k+ characters
    assert long and len(long[0].text.split()) <= MAX_WORDS
    assert all(s.end <= MAX_WORDS for s in long[0].slots)
    for text in ("🙂🙂🙂", "打开厨房的灯", "éteins la lumière", "turn on the 灯 light", "\x00\x01 control"):
        best = nlu.parse(text)
        assert best and all(0.0 <= b.score <= 1.0 for b in best), text
    assert nlu.parse("x" * 500)  # one enormous word


def test_from_config(config: Config) -> None:
    model = NluModel.from_config(config)
    assert model.parse("turn off the tv")[0].intent == "HassTurnOff"


def test_missing_model_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(NluError, match=r"nope\.onnx: NLU model not found.*nlu-train"):
        NluModel.load(tmp_path / "nope.onnx", TOKENIZER)
    with pytest.raises(NluError, match=r"tokenizer\.json: NLU tokenizer not found"):
        NluModel.load(INT8, tmp_path / "tokenizer.json")


def test_corrupt_model_file(tmp_path: Path) -> None:
    bad = tmp_path / "nlu.int8.onnx"
    bad.write_bytes(INT8.read_bytes()[: INT8.stat().st_size // 3])
    with pytest.raises(NluError, match=r"nlu\.int8\.onnx: not a loadable ONNX model"):
        NluModel.load(bad, TOKENIZER)
    bad.write_text("hello")
    with pytest.raises(NluError, match="not a loadable ONNX model"):
        NluModel.load(bad, TOKENIZER)
    bad_tok = tmp_path / "tokenizer.json"
    bad_tok.write_text("{not json")
    with pytest.raises(NluError, match="not a valid tokenizer.json"):
        NluModel.load(INT8, bad_tok)


def test_mismatched_tokenizer(tmp_path: Path) -> None:
    from runtime.nlu.tokenizer import train_tokenizer

    other = train_tokenizer([["turn", "on", "the", "light"], ["play", "some", "jazz"]] * 5, vocab_size=100)
    other.save(str(tmp_path / "tokenizer.json"))
    with pytest.raises(NluError, match="does not match.*same training run"):
        NluModel.load(INT8, tmp_path / "tokenizer.json")


def test_labels_json_fallback_and_mismatch(tmp_path: Path) -> None:
    meta = json.loads((MODELS / "labels.json").read_text())
    shutil.copy(TOKENIZER, tmp_path / "tokenizer.json")
    (tmp_path / "labels.json").write_text(json.dumps({**meta, "intents": meta["intents"][:-1]}))
    with pytest.raises(NluError, match="outputs .* intents"):
        NluModel.load(INT8, tmp_path / "tokenizer.json", labels_path=tmp_path / "labels.json")


def test_nlu_train_cli_rejects_a_bad_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from runtime.cli import main

    assert main(["nlu-train", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "expected train/, valid/ and test/" in capsys.readouterr().out
    (tmp_path / "train").mkdir()
    (tmp_path / "valid").mkdir()
    assert main(["nlu-train", "--data", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "seq.in" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()  # nothing half-written
    for first in (["--first-member", "3"], ["--members", "3", "--first-member", "-1"]):
        assert main(["nlu-train", *first, "--out", str(tmp_path / "out")]) == 2
        assert "expected N >= 0 with --members K >= 2" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_tiny_training_run_produces_a_loadable_model(tmp_path: Path) -> None:
    from models.nlu.train import TrainConfig, run_training

    cfg = TrainConfig(epochs=1, d_model=32, heads=2, ff=64, vocab_size=300)
    result, paths = run_training(tmp_path, cfg=cfg, limit=300, progress=False)
    assert {p.name for p in paths.values()} == {
        "nlu.fp32.onnx",
        "nlu.int8.onnx",
        "tokenizer.json",
        "labels.json",
    }
    assert len(result.history) == 1 and result.history[0]["loss"] > 0
    for kind in ("fp32", "int8"):
        model = NluModel.load(paths[kind], paths["tokenizer"])
        best = model.parse("turn on the kitchen light", n=3)
        assert len(best) == 3 and best[0].intent in model.intents
    assert paths["int8"].stat().st_size < paths["fp32"].stat().st_size
    # the slot-evidence weight was fitted on validation and written wherever the runtime reads labels
    from models.nlu.slot_evidence import WEIGHTS

    assert result.meta["slot_evidence"] in WEIGHTS
    labels = json.loads(paths["labels"].read_text())
    assert labels["slot_evidence"] == result.meta["slot_evidence"]
    assert set(labels["slot_evidence_valid"]) == {str(w) for w in WEIGHTS}
    for kind in ("fp32", "int8"):
        served = NluModel.load(paths[kind], paths["tokenizer"])
        assert served.slot_evidence == result.meta["slot_evidence"]
    # and so were the tag bigrams of its training sentences and the tag prior's weight
    from models.nlu.tag_prior import WEIGHTS as PRIOR_WEIGHTS

    labels = json.loads(paths["labels"].read_text())
    assert result.meta["tag_prior"] in PRIOR_WEIGHTS and labels["tag_prior"] == result.meta["tag_prior"]
    assert set(labels["tag_prior_valid"]) == {str(w) for w in PRIOR_WEIGHTS}
    assert len(labels["tag_bigrams"]) == len(labels["tags"]) + 1 and sum(labels["tag_bigrams"][0]) > 250
    for kind in ("fp32", "int8"):
        served = NluModel.load(paths[kind], paths["tokenizer"])
        assert served.tag_prior == result.meta["tag_prior"]
        assert (served.prior is None) == (served.tag_prior == 0)


def test_decoding_keeps_one_name_in_one_span() -> None:
    import numpy as np

    from models.nlu.data import Example
    from models.nlu.train import repeatable_slots
    from runtime.nlu.model import allowed_transitions, decode_tags

    tags = ["O", "B-area", "B-name", "I-area", "I-name"]
    allowed = allowed_transitions(tags, {"area"})
    index = {t: i for i, t in enumerate(tags)}
    assert not allowed[index["O"], index["I-name"]] and not allowed[index["B-area"], index["I-name"]]
    assert not allowed[index["B-name"], index["B-name"]] and not allowed[index["I-name"], index["B-name"]]
    assert allowed[index["B-area"], index["B-area"]] and allowed[index["B-area"], index["B-name"]]
    assert allowed_transitions(tags)[index["B-name"], index["B-name"]]  # older models: as before
    # which slots may repeat is read off the training sentences
    sentences = [Example(("kitchen", "den"), ("B-area", "B-area"), "HassTurnOn")] * 3
    sentences.append(Example(("air", "purifier"), ("B-name", "B-name"), "HassTurnOn"))
    assert repeatable_slots(sentences) == ["area"]
    # the Viterbi decoder joins "air purifier" although per-word argmax says two names
    start = np.array([not t.startswith("I-") for t in tags])
    logits = np.log(np.array([[0.01, 0.01, 0.9, 0.01, 0.07], [0.01, 0.01, 0.5, 0.01, 0.47]]))
    assert [tags[i] for i in decode_tags(logits, allowed, start)] == ["B-name", "I-name"]
    # and a sentence that starts with I-name starts with B-name instead
    logits = np.log(np.array([[0.01, 0.01, 0.4, 0.01, 0.57], [0.9, 0.01, 0.03, 0.03, 0.03]]))
    assert [tags[i] for i in decode_tags(logits, allowed, start)] == ["B-name", "O"]


def test_slot_evidence_reweighs_the_intents_the_tagger_contradicts() -> None:
    """Snips' "add karusellen to jazz brasileiro": the intent head leans to PlayMusic, the tagger
    reads a playlist, which only AddToPlaylist takes; weighed in, AddToPlaylist wins."""
    import numpy as np

    from runtime.nlu.model import allowed_transitions, reweigh

    tags = ["O", "B-artist", "B-playlist", "I-playlist"]
    intents = ["PlayMusic", "AddToPlaylist", "GetWeather"]
    fits = [
        np.array([True, True, False, False]),
        np.array([True, True, True, True]),
        np.array([True, False, False, False]),
    ]
    allowed = allowed_transitions(tags)
    start = np.array([not t.startswith("I-") for t in tags])
    # words: add karusellen to jazz brasileiro
    logp = np.log(
        np.array(
            [
                [0.97, 0.01, 0.01, 0.01],
                [0.3, 0.6, 0.05, 0.05],
                [0.97, 0.01, 0.01, 0.01],
                [0.05, 0.05, 0.85, 0.05],
                [0.05, 0.05, 0.05, 0.85],
            ]
        )
    )
    free = [0, 1, 0, 2, 3]
    probs = np.array([0.55, 0.4, 0.05])
    same, paths = reweigh(probs, logp, free, fits, allowed, start, weight=0.0)
    assert np.allclose(same, probs) and paths[1] == free  # weight 0: the intent head alone
    new, paths = reweigh(probs, logp, free, fits, allowed, start, weight=1.0, top=2)
    assert intents[int(new.argmax())] == "AddToPlaylist"
    assert paths[0] == [0, 1, 0, 0, 0]  # PlayMusic's own best reading: no playlist
    assert new[2] == probs[2] and np.isclose(new.sum(), 1.0)  # below the top 2: untouched
    # and the gap is exactly the log-probability PlayMusic's reading gives up
    gap = logp[3, 0] + logp[4, 0] - logp[3, 2] - logp[4, 3]
    assert np.isclose(new[0] / new[1], probs[0] / probs[1] * np.exp(gap))


def test_the_decoders_shortcut_is_the_full_viterbi_search() -> None:
    """decode_tags returns the per-word argmax when that is an allowed sequence, and searches
    otherwise: either way the best allowed sequence, checked against brute force on random logits."""
    import numpy as np

    from runtime.nlu.model import allowed_transitions, decode_tags

    tags = ["O", "B-area", "B-name", "B-brightness", "I-area", "I-name", "I-brightness"]
    allowed = allowed_transitions(tags, {"area"})
    start = np.array([not t.startswith("I-") for t in tags])
    shortcuts = 0
    rng = np.random.default_rng(0)
    for _ in range(200):
        logits = rng.normal(size=(int(rng.integers(1, 5)), len(tags))) * 3
        best = decode_tags(logits, allowed, start)
        assert best == _viterbi_reference(logits, allowed, start)
        shortcuts += best == [int(t) for t in logits.argmax(-1)]
    assert 0 < shortcuts < 200  # both the shortcut and the search ran


def test_the_tag_prior_moves_a_close_call_and_is_still_the_best_sequence() -> None:
    """The decoder adds weight x log P(tag | previous tag), counted on training sentences: a word the
    tagger barely reads as a second slot after a name joins the name when names go on for several
    words in training; and with any prior the result is the brute-force best of tagger + prior."""
    import numpy as np
    import pytest

    from models.nlu.data import Example
    from models.nlu.tag_prior import tag_bigrams
    from runtime.nlu.model import NluError, allowed_transitions, decode_tags, tag_prior_scores

    tags = ["O", "B-artist", "B-album", "I-artist", "I-album"]
    training = [
        Example(("play", "bob", "dylan", "jones"), ("O", "B-artist", "I-artist", "I-artist"), "Play")
    ] * 5
    training.append(Example(("play", "abbey", "road"), ("O", "B-album", "I-album"), "Play"))
    counts = tag_bigrams(training, tags)
    assert counts[0] == [6, 0, 0, 0, 0]  # every sentence starts with O
    assert counts[1 + tags.index("I-artist")][tags.index("I-artist")] == 5
    assert counts[1 + tags.index("O")] == [0, 5, 1, 0, 0]
    allowed = allowed_transitions(tags)
    start = np.array([not t.startswith("I-") for t in tags])
    assert (
        tag_prior_scores(counts, 0.0, allowed, start) is None
        and tag_prior_scores(None, 1.0, allowed, start) is None
    )
    with pytest.raises(NluError, match="is 5 x 5, not 6 x 5"):
        tag_prior_scores(counts[:-1], 1.0, allowed, start)
    with pytest.raises(NluError, match="not a table of counts"):
        tag_prior_scores([[1, 2], ["x"]], 1.0, allowed, start)
    # "play bob dylan jones": the tagger leans (0.45 against 0.4) to an album starting at "jones"
    logits = np.log(
        np.array(
            [
                [0.96, 0.01, 0.01, 0.01, 0.01],
                [0.01, 0.9, 0.07, 0.01, 0.01],
                [0.01, 0.01, 0.01, 0.96, 0.01],
                [0.1, 0.01, 0.45, 0.4, 0.04],
            ]
        )
    )
    assert [tags[i] for i in decode_tags(logits, allowed, start)][3] == "B-album"
    prior = tag_prior_scores(counts, 0.5, allowed, start)
    assert [tags[i] for i in decode_tags(logits, allowed, start, prior)][3] == "I-artist"
    # the decoder skips the search when every word's best tag leads by 2 x the prior's spread
    assert prior is not None and prior.spread > 0
    rng = np.random.default_rng(1)
    shortcuts = 0
    for _ in range(200):
        logits = rng.normal(size=(int(rng.integers(1, 5)), len(tags))) * rng.choice([3.0, 20.0])
        assert decode_tags(logits, allowed, start, prior) == _viterbi_reference(logits, allowed, start, prior)
        greedy = logits.argmax(-1)
        confident = np.sort(logits, -1)[:, -1] - np.sort(logits, -1)[:, -2] >= 2 * prior.spread
        shortcuts += bool(confident.all() and start[greedy[0]] and allowed[greedy[:-1], greedy[1:]].all())
    assert 0 < shortcuts < 200  # both the shortcut and the search ran


def _viterbi_reference(logits: Any, allowed: Any, start: Any, prior: Any = None) -> list[int]:
    """Brute force over every tag sequence (short sentences only): the allowed one of highest
    log-probability (plus the prior's scores when given)."""
    import itertools

    import numpy as np

    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    best, best_score = None, -np.inf
    for seq in itertools.product(range(len(start)), repeat=len(logits)):
        if not start[seq[0]] or not all(allowed[a, b] for a, b in itertools.pairwise(seq)):
            continue
        score = sum(logp[i, t] for i, t in enumerate(seq))
        if prior is not None:
            score += prior.start[seq[0]] + sum(prior.transitions[a, b] for a, b in itertools.pairwise(seq))
        if score > best_score:
            best, best_score = list(seq), score
    assert best is not None
    return best


SWITCHABLE = {"light", "switch", "fan", "climate", "oven", "tv", "media_player"}


def test_the_homes_devices_by_name_act_on_that_device(nlu: NluModel, config: Config) -> None:
    """Held-out templates measure generalization; this is what the home says every day: "turn on/off
    the <name or alias>" for each of devices.yaml's switchable devices, through the committed model
    and the resolver, must act on that device (a retrained model that scored better on held-out
    templates once lost "turn on the tv" and "turn off the thermostat")."""
    from runtime.context import ContextStore
    from runtime.resolve import resolve

    sat = config.satellite("kitchen-sat")
    misses = []
    for device in config.devices:
        if device.type not in SWITCHABLE:
            continue
        for name in device.names:
            for verb in ("on", "off"):
                text = f"turn {verb} the {name}"
                resolution = resolve(nlu.parse(text)[0], ContextStore(config), sat)
                if device.id not in resolution.device_ids:
                    misses.append((text, resolution.interpretation.intent, resolution.reasons))
    assert misses == []


def test_every_sentence_the_recognizer_hears_means_an_intent_the_runtime_acts_on(
    nlu: NluModel, config: Config
) -> None:
    from runtime.asr.grammar import (
        ANSWERED_ONLY,
        MEANINGS,
        READ_BY_RUNTIME,
        acted_on,
        meaning,
        misread,
        sentences_by_template,
    )
    from runtime.resolve import HANDLERS, WORD_READ_INTENTS

    assert all(intents <= {*HANDLERS, *WORD_READ_INTENTS, ANSWERED_ONLY} for intents in MEANINGS.values())
    assert set(MEANINGS) >= READ_BY_RUNTIME  # a template renamed in one place only
    misses = []
    # 200 draws per template (the default) with five draw seeds: the short templates whole and the long
    # ones (numbers times names) sampled, 6,201 sentences. The benchmark's grammar figure reads seed
    # 0's 2,420; seed 0 alone missed "turn off the music" (a timer), which seeds 1-4 drew
    sentences: dict[str, list[str]] = {}
    for seed in range(5):
        for template, texts in sentences_by_template(config, seed=seed).items():
            sentences[template] = sorted({*sentences.get(template, []), *texts})
    sat = config.satellite("kitchen-sat")

    def acted_as(text: str) -> str:  # as benchmarks/resolve.py reads them: what the pipeline acts on first
        return meaning(acted_on(nlu, config, sat, text))

    for template, wrong in misread(acted_as, sentences).items():
        if len(wrong) > len(sentences[template]) // 10:  # a template as a whole, not a stray sentence
            misses.append((template, wrong[:3]))
    assert not misses, misses


def test_the_phrasings_the_grammar_figure_found_wrong(nlu: NluModel) -> None:
    # phrasings the grammar figure found wrong (MODEL_CARD.md, Data); "stop the sonos" must not
    # switch the speaker off, and a bare "cancel" must not go looking for a timer
    said = {
        "stop the sonos": "HassMediaPause",
        "stop the living room speaker": "HassMediaPause",
        "stop the fan": "HassTurnOff",
        "stop the coffee maker": "HassTurnOff",
        "i like a podcast": I.TEACH_PREFERENCE,
        "i love my playlist": I.TEACH_PREFERENCE,
        "i don't like the radio": I.TEACH_PREFERENCE,
        "cancel": I.STOP,
        "turn off the music": "HassTurnOff",
        "turn the music on": "HassTurnOn",
    }
    assert {text: nlu.parse(text)[0].intent for text in said} == said


def test_off_heard_as_of_still_turns_off(nlu: NluModel) -> None:
    """ASR writes "turn of the lights" (the model read a brightness step and asked "Brighter or
    dimmer?"); "of" inside a request stays."""
    for said in ("turn of the lights", "please switch of the tv", "turn the kitchen light of"):
        top = nlu.parse(said)[0]
        assert (top.intent, top.text) == ("HassTurnOff", said.replace(" of", " off")), said
    assert nlu.parse("turn on all of the lights")[0].text == "turn on all of the lights"
    # a sum's power stays ("2 to the power off 3" listed the devices that are off)
    assert nlu.parse("what is 2 to the power of 3")[0].text == "what is 2 to the power of 3"


def test_everyday_idioms_for_a_switch_and_asking_the_temperature(nlu: NluModel, config: Config) -> None:
    """ "kill the lights" asked "Brighter or dimmer?", "i need the lights on" asked about a device "need
    lights", "crank it up" about a device "crank", and "can i get the temperature" turned learning on."""
    from runtime.context import ContextStore
    from runtime.resolve import interpret

    said = {
        "kill the lights": ("HassTurnOff", "turn off the lights"),
        "i need the lights on": ("HassTurnOn", "turn the lights on"),
        "we need the lights on": ("HassTurnOn", "turn the lights on"),  # a device "we need lights"
        # "Which device do you mean?"
        "turn it all off": ("HassTurnOff", "turn everything off"),
        "turn off all": ("HassTurnOff", "turn everything off"),
        "shut it all down": ("HassTurnOff", "turn everything off"),
        "crank it up": (None, "turn it up"),
        "all off": ("HassTurnOff", "turn everything off"),  # was "it" off: the last device commanded
        # asked about a device "whatever"; out of domain; asked about a device "night"
        "turn off whatever is on": ("HassTurnOff", "turn off everything"),
        "what did i leave on": ("HassGetState", "what's on"),
        "lock up for the night": (None, "lock up"),
        "i can't see anything": ("AmbientSetBrightnessRelative", "it's too dark in here"),  # out of domain
        "make me a coffee": ("HassTurnOn", "turn on the coffee maker"),  # out of domain
        "make me coffee": ("HassTurnOn", "turn on the coffee maker"),  # "Sorry" (no article)
        "brew a pot of coffee": ("HassTurnOn", "turn on the coffee maker"),
        # a turn-off; a timer's status
        "what's the status of the front door": ("HassGetState", "what's the state of the front door"),
        "give me a status report": ("HassGetState", "what devices are on"),
        "what's the status of the house": ("HassGetState", "what devices are on"),
        "turn on the lights dimmed": (None, "turn on the lights but dim"),  # a device "lights dimmed"
        "turn on the fan on low": (None, "turn on the fan on low"),  # not a light: as said
        "play music for my wife": ("HassMediaSearchAndPlay", "play music"),  # "What do you like?"
    }
    for text, (intent, meant) in said.items():
        top = nlu.parse(text)[0]
        assert top.text == meant and intent in (None, top.intent), (text, top)
    assert nlu.parse("turn it all")[0].text == "turn it all"  # no way said: nothing guessed
    ctx, sat = ContextStore(config), config.satellite("kitchen-sat")
    _, r = interpret(nlu.parse("can i get the temperature"), ctx, sat)
    assert (r.interpretation.intent, r.device_ids) == ("HassClimateGetTemperature", ["thermostat"])


def test_did_i_questions_ask_about_the_state(nlu: NluModel, config: Config) -> None:
    """ "did i lock the front door" locked it, "did i turn off the coffee maker" turned it off, and
    "did i leave the oven on" was out of domain: each asks about the state, and nothing is sent."""
    from runtime.context import ContextStore
    from runtime.dispatch import dispatch
    from runtime.resolve import interpret

    ctx, living = ContextStore(config), config.satellite("living-sat")
    for device, state in (("front_door_lock", "unlocked"), ("coffee_maker", "on"), ("oven", "off")):
        ctx.update_state(device, {"state": state})
    ctx.update_state("living_room_blinds", {"state": "closed", "position": 0})
    said = {
        "did i lock the front door": "No, the front door is unlocked.",
        "did someone unlock the door": "Yes, the front door is unlocked.",
        "did i turn off the coffee maker": "No, the coffee maker is on.",
        "have you turned the coffee maker off": "No, the coffee maker is on.",
        "did i leave the oven on": "No, the oven is off.",
        "did i close the blinds": "Yes, the living room blinds are closed.",
    }
    for text, answer in said.items():
        action = dispatch(interpret(nlu.parse(text), ctx, living)[1], ctx)
        assert (action.kind, action.text, action.commands) == ("answer", answer, []), text
    assert nlu.parse("did i say turn off")[0].text == "did i say turn off"  # not a device question
    assert nlu.parse("did i leave the lights on in the kitchen")[0].text == "is the lights on in the kitchen"


def test_leave_one_on_and_turn_off_the_rest_leaves_it_on(nlu: NluModel, config: Config) -> None:
    """ "leave the counter lights on and turn off the rest" turned the counter lights off."""
    from runtime.context import ContextStore
    from runtime.resolve import interpret

    ctx = ContextStore(config)
    for said, sat, off in (
        ("leave the counter lights on and turn off the rest", "kitchen-sat", ["kitchen_light"]),
        ("keep the floor lamp on and turn off the others", "living-sat", ["living_room_light"]),
    ):
        _, r = interpret(nlu.parse(said), ctx, config.satellite(sat))
        assert (r.interpretation.intent, r.device_ids) == ("HassTurnOff", off), said


def test_a_fraction_of_the_range_is_its_percentage(nlu: NluModel, config: Config) -> None:
    """ "set the kitchen light to three quarters" set 3%, "dim the lights to half" asked about a device
    "lights half", "open the blinds a quarter of the way" asked what "way" was."""
    from runtime.context import ContextStore
    from runtime.resolve import interpret

    ctx, kitchen = ContextStore(config), config.satellite("kitchen-sat")
    for said, device, values in (
        ("set the kitchen light to three quarters", "kitchen_light", {"brightness": 75}),
        ("dim the lights to half", "kitchen_light", {"brightness": 50}),
        ("open the blinds a quarter of the way", "living_room_blinds", {"position": 25}),
        ("set the fan to a third", "bedroom_fan", {"percentage": 33}),
    ):
        _, r = interpret(nlu.parse(said), ctx, kitchen)
        assert (r.device_ids, r.values) == ([device], values), said
    assert nlu.parse("set a timer for half an hour")[0].text == "set a timer for half an hour"


def test_dimming_thanks_and_starting_a_device_through_the_model(nlu: NluModel, config: Config) -> None:
    from runtime.context import ContextStore
    from runtime.dispatch import dispatch
    from runtime.resolve import interpret

    ctx = ContextStore(config)
    kitchen = config.satellite("kitchen-sat")
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 60})

    def act(text: str) -> tuple[str, str, list[tuple[str, str]]]:
        nbest = nlu.parse(text)
        a = dispatch(interpret(nbest, ctx, kitchen)[1], ctx)
        return nbest[0].intent, a.text, [(c.topic, c.payload) for c in a.commands]

    assert act("dim the kitchen light") == (
        I.BRIGHTNESS_STEP, "Dimming the kitchen light to 40%.", [("home/kitchen/light/set", '{"brightness": 40}')]
    )  # fmt: skip
    assert act("make the kitchen light brighter")[1] == "Brightening the kitchen light to 80%."
    assert act("thank you")[:2] == (I.THANKS, "You're welcome.")
    assert act("thanks a lot")[:2] == (I.THANKS, "You're welcome.")
    # a satisfied "that's all" is no complaint (the previous model took it for negative feedback)
    assert act("thanks that's all")[:2] == (I.THANKS, "You're welcome.")
    assert act("that's what i wanted thank you")[0] == I.THANKS
    assert act("what day is it")[0] == "HassGetCurrentDate"
    assert act("start the coffee maker")[0] == "HassTurnOn"
    assert act("dim the kitchen light to 30 percent")[2] == [("home/kitchen/light/set", '{"brightness": 30}')]


def test_the_int8_model_computes_what_the_fp32_one_does(config: Config) -> None:
    """The served int8 model's logits stay near the fp32 model's on held-out sentences, on this CPU
    whatever it is. With 8-bit weights, x86 CPUs without VNNI overflowed int16 sums in onnxruntime's
    int8 kernel (logits off by up to 1.27, median 0.65); 7-bit weights are exact there too."""
    import numpy as np

    from models.nlu import data as D
    from runtime.nlu.model import OnnxRunner
    from runtime.nlu.tokenizer import encode, load_tokenizer

    tokenizer = load_tokenizer(TOKENIZER)
    seed = int(json.loads((MODELS / "labels.json").read_text())["train_config"]["seed"])
    sentences = D.build_dataset(config, seed=seed).test[::20]
    fp32, int8 = OnnxRunner(MODELS / "nlu.fp32.onnx"), OnnxRunner(INT8)
    worst = []
    for ex in sentences:
        ids = np.asarray([encode(tokenizer, list(ex.words)).ids], dtype=np.int64)
        a, b = fp32(ids, np.ones_like(ids)), int8(ids, np.ones_like(ids))
        worst.append(max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True)))
    assert len(worst) > 100
    assert float(np.median(worst)) < 0.25 and max(worst) < 0.6


def test_the_music_is_turned_on_and_off_through_the_model(nlu: NluModel, config: Config) -> None:
    # the ASR grammar's "turn (on | off) the music": the grammar figure found it taken for a timer's
    # command ("For how long?"); with a room it is that room's speaker, not its lights
    from runtime.context import ContextStore
    from runtime.resolve import interpret

    ctx = ContextStore(config)

    def act(text: str, satellite: str = "kitchen-sat") -> tuple[str, list[str], str | None]:
        nbest = nlu.parse(text)
        r = interpret(nbest, ctx, config.satellite(satellite))[1]
        return r.interpretation.intent, r.device_ids, r.clarification

    assert act("turn off the music in the lounge")[:2] == ("HassTurnOff", ["living_room_speaker"])
    assert act("switch on the music in the bedroom")[:2] == ("HassTurnOn", ["bedroom_speaker"])
    assert act("turn the music off", "bedroom-sat")[:2] == ("HassTurnOff", ["bedroom_speaker"])
    intent, devices, question = act("turn the music on")  # the kitchen has no speaker: which one?
    assert (intent, devices) == ("HassTurnOn", []) and "speaker" in (question or "")


def test_a_command_for_later_just_after_the_same_device_is_not_lost_to_it(
    nlu: NluModel, config: Config
) -> None:
    """ "turn off the fan in an hour" just after "set the fan to low" was "Sorry, I can't help with that":
    the model tags no duration, the timer lost its score for having no time, and turning off "it" was
    not confident enough. A unit said is a time heard (runtime/rank.py)."""
    from runtime.context import ContextStore
    from runtime.resolve import interpret

    ctx, sat = ContextStore(config), config.satellite("bedroom-sat")
    for said in ("turn on the fan", "set the fan to low"):
        interpret(nlu.parse(said), ctx, sat)
    _, r = interpret(nlu.parse("turn off the fan in an hour"), ctx, sat)
    assert (r.interpretation.intent, r.values.get("seconds"), r.values.get("command")) == (
        "HassStartTimer",
        3600,
        "turn off the fan",
    ), r.reasons
    # "for an hour" is how long, not when: never a plain timer (the pipeline cuts it in two turns)
    for said in ("unlock the front door for 5 minutes", "turn the tv on for an hour"):
        _, r = interpret(nlu.parse(said), ctx, sat)
        assert r.interpretation.intent != "HassStartTimer", (said, r.reasons)


def test_the_answer_to_which_one_is_acted_on(nlu: NluModel, config: Config) -> None:
    """ "next song" with the tv and the speaker idle asked "Which one: the tv or the living room
    speaker?", and the answer ("the tv") was "Sorry, I can't help with that.": nothing kept the
    question. An answer that picks none of them is a request of its own."""
    from runtime.context import ContextStore
    from runtime.resolve import interpret

    living = config.satellite("living-sat")
    ctx = ContextStore(config)

    def act(text: str) -> tuple[str, list[str], str | None]:
        r = interpret(nlu.parse(text), ctx, living)[1]
        return r.interpretation.intent, r.device_ids, r.clarification

    which = "Which one: the tv or the living room speaker?"
    picks = {
        "the tv": ["tv"],
        "the speaker please": ["living_room_speaker"],
        "the second one": ["living_room_speaker"],
        "both": ["tv", "living_room_speaker"],
        "both of them": ["tv", "living_room_speaker"],  # "of them" once normalized: it was no answer
    }
    for answer, devices in picks.items():
        ctx = ContextStore(config)  # a fresh home: once one has played, "next song" is about it
        assert act("next song") == ("HassMediaNext", [], which)
        assert act(answer) == ("HassMediaNext", devices, None), answer
    ctx = ContextStore(config)
    assert act("pause") == ("HassMediaPause", [], which)
    assert act("neither") == ("HassNevermind", [], None)
    assert act("pause")[2] == which
    assert act("what time is it")[0] == "HassGetCurrentTime"
    assert act("the tv")[1] == []  # the question was the turn before's only
