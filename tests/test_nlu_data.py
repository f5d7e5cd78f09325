"""Training data for the NLU: slot spans stay aligned, held-out templates stay held out."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from models.nlu import data as D
from runtime.config import Config
from runtime.nlu import intents as I
from runtime.nlu.text import bio_spans, normalize, words


@pytest.fixture(scope="module")
def templates() -> list[D.Template]:
    return D.load_templates()


@pytest.fixture(scope="module")
def dataset(config: Config, templates: list[D.Template]) -> D.Dataset:
    return D.build_dataset(config, seed=3, per_intent=60, min_per_template=1, templates=templates)


def _expected_slots(pieces: list[tuple[str, str | None]]) -> list[tuple[str, str]]:
    """Slot values straight from the sampler's pieces: what the BIO tags must reproduce."""
    runs: list[tuple[str, str]] = []
    previous: str | None = None
    for text, slot in pieces:
        if slot is not None and slot == previous:
            runs[-1] = (slot, runs[-1][1] + text)
        elif slot is not None:
            runs.append((slot, text))
        if text:
            previous = slot
    return [(slot, normalize(text)) for slot, text in runs if normalize(text)]


def test_slot_spans_match_the_values_filled_in(config: Config, templates: list[D.Template]) -> None:
    rng = random.Random(7)
    lexicon = D.generic_lexicon(config)
    lexicon.wildcards["command"] = ["turn on the kitchen light"]
    checked = 0
    for template in rng.sample(templates, 300):
        state = rng.getstate()
        pieces = D._Sampler(template, lexicon, rng).run()
        rng.setstate(state)  # the same random choices again, now through the public function
        ex = D.sample_template(template, lexicon, rng)
        assert len(ex.words) == len(ex.tags) > 0, template.key
        for i, tag in enumerate(ex.tags):
            if tag.startswith("I-"):
                assert ex.tags[i - 1][2:] == tag[2:], (template.key, ex.words, ex.tags)
        got = [(name, value) for name, value, _, _ in ex.slots() if name != "domain"]
        expected = [(name, value) for name, value in _expected_slots(pieces) if name != "domain"]
        assert got == expected, (template.key, ex.text)
        checked += bool(got)
    assert checked > 150  # most templates have slots: the check above really ran


def test_a_known_template_gets_exact_tags(config: Config) -> None:
    from hassil.intents import IntentData, Intents
    from hassil.parse_expression import parse_sentence

    sentence = parse_sentence("turn on [the] {name} in [the] {area}")
    intents = Intents(language="en", intents={})
    block = IntentData(sentence_texts=[], slots={"domain": "light"})
    template = D.Template("HassTurnOn", "test:0", sentence, block, intents)
    lexicon = D.Lexicon({"light": ["Kitchen Light"]}, ["living room"], ["upstairs"])
    rng = random.Random(0)
    seen = set()
    for _ in range(20):
        ex = D.sample_template(template, lexicon, rng)
        seen.add(ex.text)
        slots = [(name, value) for name, value, _, _ in ex.slots()]
        # the name may get an area prefix ("living room kitchen light"), as generic names do
        assert slots in (
            [("name", "kitchen light"), ("area", "living room")],
            [("name", "living room kitchen light"), ("area", "living room")],
        ), ex
        assert ex.tags[-2:] == ("B-area", "I-area") and ex.tags[:2] == ("O", "O")
    assert "turn on the kitchen light in the living room" in seen
    assert "turn on kitchen light in living room" in seen


def test_held_out_templates_are_absent_from_training(dataset: D.Dataset) -> None:
    train_keys = set(dataset.templates["train"])
    test_keys = set(dataset.templates["test"])
    assert test_keys and not (test_keys & train_keys)
    assert not (set(dataset.templates["valid"]) & train_keys)
    assert {ex.template for ex in dataset.test} <= test_keys
    assert not ({ex.template for ex in dataset.train} & test_keys)
    train_texts = {ex.text for ex in dataset.train}
    assert not any(ex.text in train_texts for ex in dataset.test)
    # held-out templates of the main intents are really tested
    tested = {ex.intent for ex in dataset.test}
    for intent in ("HassTurnOn", "HassTurnOff", "HassLightSet", "HassGetState", I.OUT_OF_DOMAIN):
        assert intent in tested


def test_the_served_models_data_trains_on_the_test_templates_and_holds_out_validation(
    config: Config, templates: list[D.Template], dataset: D.Dataset
) -> None:
    full = D.build_dataset(
        config, seed=3, per_intent=60, min_per_template=1, templates=templates, hold_out_test=False
    )
    assert full.test == [] and full.templates["test"] == []
    assert set(full.templates["train"]) == set(dataset.templates["train"]) | set(dataset.templates["test"])
    assert full.templates["valid"] == dataset.templates["valid"]
    test_keys = set(dataset.templates["test"])
    assert test_keys <= {ex.template for ex in full.train}  # every test template is trained on
    seen = {ex.text for ex in full.train + full.swapped}
    assert full.valid and not any(ex.text in seen for ex in full.valid)
    assert not ({ex.template for ex in full.train} & set(full.templates["valid"]))


def test_a_model_trained_on_the_validation_templates_never_trains_on_a_test_sentence(
    config: Config, templates: list[D.Template], dataset: D.Dataset
) -> None:
    """`hold_out_valid=False` (`nlu-train --train-on-valid`): the validation templates are trained
    on; the test templates stay held out, and so does every sentence of the benchmark's test set,
    even one a validation template says too ("pause the tv")."""
    more = D.build_dataset(
        config, seed=3, per_intent=60, min_per_template=1, templates=templates, hold_out_valid=False
    )
    assert set(more.templates["train"]) == set(dataset.templates["train"]) | set(dataset.templates["valid"])
    assert more.templates["test"] == dataset.templates["test"]
    assert set(dataset.templates["valid"]) <= {ex.template for ex in more.train}
    assert not ({ex.template for ex in more.train} & set(dataset.templates["test"]))
    seen = {ex.text for ex in more.train + more.swapped}
    assert not any(ex.text in seen for ex in dataset.test)  # the benchmark's test set, as built for it
    assert more.valid and not any(ex.text in seen for ex in more.valid)  # the fits' sentences are new


def test_every_intent_and_slot_is_in_the_contract(dataset: D.Dataset) -> None:
    examples = dataset.train + dataset.valid + dataset.test
    assert {ex.intent for ex in examples} <= set(I.INTENTS)
    assert {t[2:] for ex in examples for t in ex.tags if t != "O"} <= set(I.SLOTS)
    for intent in (*I.AMBIENT_INTENTS, I.OUT_OF_DOMAIN, "HassTurnOn", "HassMediaSearchAndPlay"):
        assert any(ex.intent == intent for ex in dataset.train), intent


def test_intents_the_runtime_cannot_act_on_can_be_learned_as_out_of_domain(
    config: Config, templates: list[D.Template]
) -> None:
    from runtime.resolve import HANDLERS

    dataset = D.build_dataset(
        config, seed=3, per_intent=60, min_per_template=1, templates=templates,
        merged=I.UNSUPPORTED_HA_INTENTS,
    )  # fmt: skip
    # the merged set is exactly "HA intents without a resolver handler": a new handler must un-merge
    assert set(I.HA_INTENTS) - set(HANDLERS) == I.UNSUPPORTED_HA_INTENTS
    examples = dataset.train + dataset.valid + dataset.test
    assert not {ex.intent for ex in examples} & I.UNSUPPORTED_HA_INTENTS
    assert not set(dataset.intent_slots) & I.UNSUPPORTED_HA_INTENTS
    merged_keys = {t.key for t in templates if t.intent in I.UNSUPPORTED_HA_INTENTS}
    merged = [ex for ex in examples if ex.template in merged_keys]
    assert merged and all(ex.intent == I.OUT_OF_DOMAIN and set(ex.tags) == {"O"} for ex in merged)
    # ... while every intent the resolver handles keeps its own label
    assert set(HANDLERS) <= {ex.intent for ex in dataset.train}
    # the merge is the default, and optional: without it every HA intent is back
    default = D.build_dataset(config, seed=3, per_intent=60, min_per_template=1, templates=templates)
    assert default.train == dataset.train and default.test == dataset.test
    everything = D.build_dataset(
        None, seed=3, per_intent=10, min_per_template=1, templates=templates, merged=frozenset()
    )
    assert {ex.intent for ex in everything.train} >= I.UNSUPPORTED_HA_INTENTS


def test_generation_is_deterministic(config: Config, templates: list[D.Template]) -> None:
    a = D.build_dataset(config, seed=11, per_intent=10, min_per_template=1, templates=templates)
    b = D.build_dataset(config, seed=11, per_intent=10, min_per_template=1, templates=templates)
    c = D.build_dataset(config, seed=12, per_intent=10, min_per_template=1, templates=templates)
    assert a.train == b.train and a.test == b.test
    assert a.train != c.train


def test_our_intents_have_their_slots(dataset: D.Dataset) -> None:
    teach = [ex for ex in dataset.train if ex.intent == I.TEACH_COMMAND]
    assert teach and all({"phrase", "command"} <= {s[0] for s in ex.slots()} for ex in teach)
    prefs = [ex for ex in dataset.train if ex.intent == I.TEACH_PREFERENCE]
    assert prefs and all("preference" in {s[0] for s in ex.slots()} for ex in prefs)
    ood = [ex for ex in dataset.train if ex.intent == I.OUT_OF_DOMAIN]
    assert len(ood) > 100 and all(set(ex.tags) == {"O"} for ex in ood)
    assert any(
        ex.text == "stop" and ex.intent == I.STOP for ex in dataset.train + dataset.valid + dataset.test
    )


def test_thanks_and_relative_brightness_are_intents_of_their_own(dataset: D.Dataset) -> None:
    examples = dataset.train + dataset.valid + dataset.test
    label = {ex.text: ex.intent for ex in examples}
    assert label.get("thank you") == I.THANKS and label.get("thanks") == I.THANKS
    assert label.get("thanks for nothing", I.NEGATIVE_FEEDBACK) == I.NEGATIVE_FEEDBACK
    steps = [ex for ex in examples if ex.intent == I.BRIGHTNESS_STEP]
    words = {v for ex in steps for slot, v, *_ in ex.slots() if slot == "brightness_step"}
    assert {"dim", "brighten", "brighter", "dimmer"} <= words
    # the step word is the slot, the light its name: "dim the desk lamp"
    named = [
        ex
        for ex in steps
        if "name" in {s[0] for s in ex.slots()} and ("dim" in ex.words or "brighten" in ex.words)
    ]
    assert named and all(
        ex.tags[ex.words.index(w)] == "B-brightness_step"
        for ex in named
        for w in ("dim", "brighten")
        if w in ex.words
    )


def test_adding_an_intent_leaves_the_other_intents_sentences_alone(
    config: Config, templates: list[D.Template]
) -> None:
    without = [t for t in templates if t.intent != I.THANKS]
    a = D.build_dataset(config, seed=5, per_intent=10, min_per_template=1, templates=templates)
    b = D.build_dataset(config, seed=5, per_intent=10, min_per_template=1, templates=without)
    others = lambda xs: sorted(ex.text for ex in xs if ex.intent not in (I.THANKS, I.OUT_OF_DOMAIN))  # noqa: E731
    assert others(a.test) == others(b.test) and others(a.valid) == others(b.valid)


def test_another_fill_draws_other_held_out_sentences_from_the_same_templates(
    config: Config, templates: list[D.Template]
) -> None:
    a = D.build_dataset(config, seed=5, per_intent=10, min_per_template=1, templates=templates)
    b = D.build_dataset(config, seed=5, per_intent=10, min_per_template=1, templates=templates, fill=1)
    assert a.train == b.train and a.templates == b.templates
    assert {ex.text for ex in a.test} != {ex.text for ex in b.test}


def test_asr_noise_keeps_tags_aligned() -> None:
    ex = D.Example(
        ("turn", "on", "the", "kitchen", "light"), ("O", "O", "O", "B-name", "I-name"), "HassTurnOn"
    )
    rng = random.Random(0)
    seen_ops = set()
    for i in range(200):
        op = ("drop", "substitute", "insert")[i % 3]
        noisy = D.asr_noise(ex, rng, ["banana", "purple"], op)
        seen_ops.add((op, len(noisy.words) - len(ex.words)))
        assert len(noisy.words) == len(noisy.tags)
        assert noisy.intent == ex.intent
        for j, tag in enumerate(noisy.tags):
            if tag.startswith("I-"):
                assert noisy.tags[j - 1] in ("B-name", "I-name")
        if op != "drop":
            assert ("name", "kitchen light") in [(s[0], s[1]) for s in noisy.slots()]
    assert seen_ops == {("drop", -1), ("substitute", 0), ("insert", 1)}
    # look-alike substitutes come from the words closest in spelling
    vocabulary = [
        "turn",
        "burn",
        "on",
        "one",
        "the",
        "then",
        "xylophone",
        "quartz",
        "zebra",
        "jumbo",
        "vortex",
        "plinth",
    ]
    far = {"xylophone", "quartz", "zebra", "jumbo", "vortex", "plinth"}
    for _ in range(30):
        noisy = D.asr_noise(ex, rng, vocabulary, "substitute", similar=True)
        assert not (set(noisy.words) & far), noisy.words


def test_sample_sentences_use_the_homes_names(config: Config) -> None:
    sentences = D.sample_sentences(config, 300, seed=1)
    assert 270 <= len(sentences) <= 300 and len(set(sentences)) == len(sentences)
    assert sentences == D.sample_sentences(config, 300, seed=1)
    assert all(s == s.lower() == normalize(s) for s in sentences)
    text = "\n".join(sentences)
    home_names = [n for d in config.devices for n in d.names]
    assert sum(name in text for name in home_names) >= len(home_names) // 2
    for generic in ("chandelier", "lava lamp", "espresso machine"):  # not in this home
        assert generic not in text  # generic names stay out: the ASR only needs this home's words


def test_one_intents_templates_do_not_redraw_the_others_sample_sentences(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the ASR's LM is trained on these: a new thank-you template must not resample the timers
    every = D.sample_sentences(config, 300, seed=0)
    templates = D.load_templates()
    thanks = [t for t in templates if t.intent == "AmbientThanks"]
    fewer = [t for t in templates if t not in thanks[1:]]  # AmbientThanks keeps its first template
    monkeypatch.setattr(D, "load_templates", lambda: fewer)
    changed = D.sample_sentences(config, 300, seed=0)
    share = 300 // len({t.intent for t in templates if t.intent != "OutOfDomain"}) + 1
    # only AmbientThanks' few sentences differ (drawing from one source for all redrew them all)
    assert 0 < len(set(every) - set(changed)) <= share and len(set(changed) - set(every)) <= share


def test_seq_format_round_trip_and_errors(tmp_path: Path) -> None:
    examples = [
        D.Example(("turn", "on", "the", "tv"), ("O", "O", "O", "B-name"), "HassTurnOn"),
        D.Example(("stop",), ("O",), I.STOP),
    ]
    D.write_split(tmp_path / "train", examples)
    back = D.read_split(tmp_path / "train")
    assert [(e.words, e.tags, e.intent) for e in back] == [(e.words, e.tags, e.intent) for e in examples]
    (tmp_path / "train" / "seq.out").write_text("O O O\nO\n")
    with pytest.raises(ValueError, match=r"seq.out:1: 3 tags for 4 words"):
        D.read_split(tmp_path / "train")
    with pytest.raises(FileNotFoundError, match="seq.in"):
        D.read_split(tmp_path / "missing")


def test_normalization_matches_speech() -> None:
    assert normalize("Turn ON the Kitchen-Light, please!") == "turn on the kitchen light please"
    assert normalize("Set it to 50% and 21.5 degrees.") == "set it to 50 percent and 21.5 degrees"
    assert normalize("What's 'that'?") == "what's that"
    assert normalize("  ") == ""
    assert len(words("word " * 1000)) == 48
    assert bio_spans(["O", "B-a", "I-a", "I-b", "O"], list("vwxyz")) == [("a", "w x", 1, 3), ("b", "y", 3, 4)]


# --------------------------------------------------------------------------------------------------
# Label conventions (MODEL_CARD.md "Labelling conventions"): one text, one frame.


def test_floors_areas_and_names_do_not_share_words(config: Config) -> None:
    lexicon = D.generic_lexicon(config)
    assert not set(lexicon.floors) & set(lexicon.areas)
    assert not [a for a in lexicon.areas if a.split()[0] in lexicon.floors]
    home_names = {n for d in config.devices for n in d.names}
    generic = [n for ns in lexicon.names.values() for n in ns if n not in home_names]
    assert "chandelier" in generic and "porch light" in D.GENERIC_NAMES["light"]
    assert "porch light" not in generic  # starts with an area: it would read as area + device
    rng = random.Random(2)
    made_up_areas = {lexicon.area(rng) for _ in range(2000)} - set(lexicon.areas)
    assert made_up_areas and all(a.endswith(" room") for a in made_up_areas)


def test_domain_bound_intents_take_names_of_their_domain(config: Config, templates: list[D.Template]) -> None:
    lexicon = D.generic_lexicon(config)
    rng = random.Random(4)
    for intent, domain in (("HassFanSetSpeed", "fan"), ("HassSetPosition", "cover")):
        nouns = {n.split()[-1] for n in D.GENERIC_NAMES[domain]}
        known = set(lexicon.names[domain])
        pool = [t for t in templates if t.intent == intent]
        names = [
            value
            for _ in range(600)
            for slot, value, _, _ in D.sample_template(rng.choice(pool), lexicon, rng).slots()
            if slot == "name"
        ]
        made_up = [n for n in names if n not in known]
        assert len(names) > 80 and made_up, intent  # ("bathroom fan" is area + "fan": not counted)
        assert all(n.split()[-1] in nouns for n in made_up), made_up  # "kaberquin fan", never bare


def test_a_name_of_area_and_domain_word_is_tagged_area_and_domain(config: Config) -> None:
    from hassil.intents import IntentData, Intents
    from hassil.parse_expression import parse_sentence

    lexicon = D.Lexicon({"light": ["kitchen light"], "fan": ["kitchen light"]}, ["kitchen"], ["upstairs"])
    intents = Intents(language="en", intents={})
    block = IntentData(sentence_texts=[], slots={"domain": "light"})
    rng = random.Random(0)
    on = D.Template("HassTurnOn", "t:0", parse_sentence("turn on the {name}"), block, intents)
    assert D.sample_template(on, lexicon, rng).tags == ("O", "O", "O", "B-area", "B-domain")
    # intents without a domain slot keep the whole name
    cover = D.Template("HassSetPosition", "t:1", parse_sentence("set the {name} to 5"), block, intents)
    assert D.sample_template(cover, lexicon, rng).tags == ("O", "O", "B-name", "I-name", "O", "O")
    # fan speed has one: "set the kitchen fan to 5" is area + domain, as HA's "{area} fan[s]" says it
    fans = D.Lexicon({"fan": ["kitchen fan"]}, ["kitchen"], ["upstairs"])
    fan_block = IntentData(sentence_texts=[], slots={"domain": "fan"})
    fan = D.Template("HassFanSetSpeed", "t:2", parse_sentence("set the {name} to 5"), fan_block, intents)
    assert D.sample_template(fan, fans, rng).tags == ("O", "O", "B-area", "B-domain", "O", "O")


def test_a_bare_domain_word_is_never_a_name(config: Config) -> None:
    # devices.yaml calls the ceiling fan "fan" too; "set the fan to 50" is HA's name-less template
    assert "fan" in {n for d in config.devices for n in d.names}
    lexicon = D.generic_lexicon(config)
    assert not {n for ns in lexicon.names.values() for n in ns} & D.DOMAIN_WORDS


def test_one_text_has_one_frame_before_deduplication(config: Config, templates: list[D.Template]) -> None:
    lexicon = D.generic_lexicon(config)
    lexicon.wildcards["command"] = ["turn on the tv"]
    examples = D._generate(templates, lexicon, "6", 60, 2)
    examples = [D.as_out_of_domain(ex, I.UNSUPPORTED_HA_INTENTS) for ex in examples]
    frames: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for ex in examples:
        frames.setdefault(ex.text, set()).add((ex.intent, ex.tags))
    clashes = {text: f for text, f in frames.items() if len(f) > 1}
    # the only clashes left are resolved by rule in _dedupe: our intent wins ("stop")
    assert all(any(i.startswith("Ambient") for i, _ in f) for f in clashes.values()), clashes
    assert len(clashes) <= 0.002 * len(frames), clashes


def _ex(text: str, tags: str, intent: str) -> D.Example:
    return D.Example(tuple(text.split()), tuple(tags.split()), intent)


def test_reference_swap_says_the_device_the_other_way() -> None:
    lexicon = D.Lexicon({"fan": ["ceiling fan"], "media_player": ["sonos"]}, ["garage"], ["upstairs"])
    rng = random.Random(0)
    # area + its domain word -> a name of the intent's domain, the domain word folded into the name
    fan = _ex("set the kitchen fan speed to 50", "O O B-area O O O B-percentage", "HassFanSetSpeed")
    swapped = D.swap_reference(fan, lexicon, rng)
    assert swapped is not None
    assert swapped.text == "set the ceiling fan speed to 50"
    assert swapped.slots() == [("name", "ceiling fan", 2, 4), ("percentage", "50", 6, 7)]
    # name -> bare area where the verb says the domain
    skip = _ex("skip the sonos", "O O B-name", "HassMediaNext")
    swapped = D.swap_reference(skip, lexicon, rng)
    assert swapped is not None and [s[:2] for s in swapped.slots()] == [("area", "garage")]
    # ... sometimes with HA's "in"
    texts = {getattr(D.swap_reference(skip, lexicon, random.Random(i)), "text", "") for i in range(20)}
    assert texts == {"skip the garage", "skip in the garage"}
    # a light's color temperature stays with the lamp: "the garage temperature" is the thermostat's
    assert D.swap_reference(_ex("set the lamp temperature to red", "O O B-name O O B-temperature",
                                "HassLightSet"), lexicon, rng) is None  # fmt: skip
    # never a bare area where only the device tells fan speed from brightness
    assert D.swap_reference(_ex("set the ceiling fan to 5", "O O B-name I-name O B-percentage",
                                "HassFanSetSpeed"), lexicon, rng) is None  # fmt: skip
    # a preposition belongs to one form: "pause in the garage" stays as it is
    assert (
        D.swap_reference(_ex("pause in the garage", "O O O B-area", "HassMediaPause"), lexicon, rng) is None
    )
    # other intents are left alone
    assert D.swap_reference(_ex("turn on the sonos", "O O O B-name", "HassTurnOn"), lexicon, rng) is None


def test_swapped_copies_are_training_only_and_leave_the_split_alone(
    config: Config, templates: list[D.Template], dataset: D.Dataset
) -> None:
    assert dataset.swapped
    held_out = {ex.text for ex in dataset.valid + dataset.test}
    assert not any(ex.text in held_out for ex in dataset.swapped)
    train_keys = set(dataset.templates["train"])
    assert {ex.template for ex in dataset.swapped} <= train_keys
    for ex in dataset.swapped:
        assert ex.intent in D.DOMAIN_BOUND_INTENTS
        assert len(ex.words) == len(ex.tags)
        assert all(not t.startswith("I-") or ex.tags[i - 1][2:] == t[2:] for i, t in enumerate(ex.tags))


def test_class_order_swap_moves_the_media_class_after_the_query() -> None:
    ex = _ex("play the playlist the godfather now", "O O B-media_class B-search_query I-search_query O",
             "HassMediaSearchAndPlay")  # fmt: skip
    swapped = D.swap_class_order(ex)
    assert swapped is not None and swapped.text == "play the godfather playlist now"
    assert swapped.slots() == [("search_query", "the godfather", 1, 3), ("media_class", "playlist", 3, 4)]
    assert D.swap_class_order(_ex("play jazz", "O B-search_query", "HassMediaSearchAndPlay")) is None
    assert D.swap_class_order(_ex("play the tv", "O O B-name", "HassTurnOn")) is None


def test_a_block_of_several_domains_draws_names_from_each_of_them() -> None:
    from hassil.intents import IntentData, Intents
    from hassil.parse_expression import parse_sentence

    # HA's "turn on [the] {name}" block requires light, switch, fan, media_player, input_boolean or
    # climate; drawn from the first domain alone, a home's tv or thermostat was never switched on
    domains = ["light", "media_player", "input_boolean", "climate"]
    block = IntentData(sentence_texts=[], requires_context={"domain": domains})
    intents = Intents(language="en", intents={})
    template = D.Template("HassTurnOn", "t:0", parse_sentence("turn on the {name}"), block, intents)
    lexicon = D.Lexicon({"light": ["desk lamp"], "media_player": ["tv"], "climate": ["thermostat"]}, [], [])
    assert template.domains == tuple(domains) and template.domain == "light"
    rng = random.Random(0)
    names = {D.sample_template(template, lexicon, rng).slots()[0][1] for _ in range(60)}
    assert names == {"desk lamp", "tv", "thermostat"}
    # and each domain gets a single-domain template's share of training sentences (no names for
    # input_boolean: three shares, not four)
    assert D._domain_share(template, lexicon) == 3
    many = D.Lexicon({d: [f"{d} {i}" for i in range(500)] for d in lexicon.names}, [], [])
    one, each = (len(D._generate([template], many, "1", 30, 1, per_domain=p)) for p in (False, True))
    assert one <= 30 and each > 2.5 * one
    # the ASR's sentences keep the first domain (its grammar and dev set were tuned on them)
    lexicon.every_domain = False
    assert {lexicon.pick_domain(template.domains, rng) for _ in range(30)} == {"light"}
    assert D._domain_share(template, lexicon) == 1


def test_the_homes_switchable_devices_are_switched_on_and_off_in_training(config: Config) -> None:
    """Every name or alias the home's own switchable devices go by is said as a name in HassTurnOn
    and in HassTurnOff training sentences (not only in media or climate ones)."""
    dataset = D.build_dataset(config, seed=0)
    lexicon = D.generic_lexicon(config)
    switchable = {"light", "switch", "fan", "climate", "oven", "tv", "media_player"}
    # a bare domain word ("fan") is the domain; "living room light" is area + domain by convention
    names = {n for d in config.devices if d.type in switchable for n in d.names
             if n not in D.DOMAIN_WORDS and lexicon.area_and_domain(n) is None}  # fmt: skip
    assert {"tv", "thermostat", "heating", "living room speaker", "coffee maker"} <= names
    for intent in ("HassTurnOn", "HassTurnOff"):
        said = {value for ex in dataset.train if ex.intent == intent
                for slot, value, _, _ in ex.slots() if slot == "name"}  # fmt: skip
        assert names <= said, (intent, sorted(names - said))


def test_noise_copies_keep_the_words_that_decide_a_domain_bound_intent(dataset: D.Dataset) -> None:
    # "set the kitchen fan to 50" without "fan" is a brightness request: a training copy that drops
    # or substitutes "fan" would still be labelled fan speed
    fan = _ex("set the kitchen fan to 50 percent", "O O B-area B-domain O B-percentage O", "HassFanSetSpeed")
    volume = _ex("set the kitchen volume to 50 percent", "O O B-area O O B-volume_level O", "HassSetVolume")
    assert D.deciding_words(fan) == {3} and D.deciding_words(volume) == {3}
    assert D.deciding_words(_ex("turn on the kitchen fan", "O O O B-area B-domain", "HassTurnOn")) == set()
    rng = random.Random(0)
    for ex, word in ((fan, "fan"), (volume, "volume")):
        for i in range(300):
            op = ("drop", "substitute")[i % 2]
            assert word in D.asr_noise(ex, rng, ["lights", "banana"], op, protect=True).words
        # without `protect` (the benchmark's noisy sets) the word does get lost: the rule is what keeps it
        lost = [D.asr_noise(ex, rng, ["lights", "banana"], "drop") for _ in range(300)]
        assert any(word not in n.words for n in lost)
    # the generator's noisy copies: every one of a domain-bound intent keeps its deciding words
    train = dataset.train + dataset.swapped
    out = D.augment(train, random.Random(1), fraction=1.0)
    assert len(out) == 2 * len(train)
    checked = 0
    for ex, noisy in zip(train, out[len(train) :], strict=True):
        keep = Counter(ex.words[i] for i in D.deciding_words(ex))
        assert keep <= Counter(noisy.words[i] for i in D.deciding_words(noisy)), (ex.text, noisy.text)
        checked += bool(keep)
    assert checked > 200


def _substitutes(slot_substitutes: bool) -> set[str]:
    exs = [
        _ex("turn on the zorvek", "O O O B-name", "HassTurnOn"),
        _ex("pause the tv", "O O B-name", "HassMediaPause"),
    ]
    subs: set[str] = set()
    rng = random.Random(0)
    for _ in range(200):
        for ex, noisy in zip(exs, D.augment(exs, rng, 1.0, slot_substitutes)[2:], strict=True):
            subs |= {
                w
                for w, old in zip(noisy.words, ex.words, strict=False)
                if w != old and len(noisy.words) == len(ex.words)
            }
    return subs


def test_noise_substitutes_come_from_every_training_word() -> None:
    # a recognizer mishears a word as any word it knows, names and numbers included
    assert {"zorvek", "tv"} <= _substitutes(slot_substitutes=True)


def test_noise_substitutes_can_be_limited_to_plain_words() -> None:
    # open-vocabulary data (Snips): an entity word in an O position would teach that it is O
    subs = _substitutes(slot_substitutes=False)
    assert subs and not subs & {"zorvek", "tv"}


def test_every_eligible_training_sentence_gets_its_reference_swap(config: Config, dataset: D.Dataset) -> None:
    # the area form of "set the {name} to 50%" ("set the kitchen to 50%") is rare in HA's templates:
    # each sentence that can be said the other way is, once (SWAP_SHARE 1.0, was 0.5)
    assert D.SWAP_SHARE == 1.0
    lexicon = D.generic_lexicon(config)
    rng = random.Random(0)
    eligible = [ex for ex in dataset.train if D.swap_reference(ex, lexicon, rng) is not None]
    reference = [ex for ex in dataset.swapped if ex.intent != "HassMediaSearchAndPlay"]
    assert len(eligible) > 50
    assert len(reference) >= 0.85 * len(eligible), (len(reference), len(eligible))
    light_area = [
        ex for ex in reference if ex.intent == "HassLightSet" and any(s[0] == "area" for s in ex.slots())
    ]
    light_name = [ex for ex in dataset.train if ex.intent == "HassLightSet" and any(s[0] == "name" for s in ex.slots())
                  and D.swap_reference(ex, lexicon, rng) is not None]  # fmt: skip
    assert len(light_area) >= 0.85 * len(light_name)


def test_the_probe_statements_are_no_training_sentence(config: Config, templates: list[D.Template]) -> None:
    """`D.PROBE_STATEMENTS` measures what the model makes of statements it never saw."""
    statements = set(D.probe_statements())
    full = D.build_dataset(config, templates=templates, hold_out_test=False)  # what a served model reads
    seen = {ex.text for ex in full.train + full.swapped + full.valid}
    assert len(statements) >= 30 and not statements & seen, statements & seen


def test_the_read_validation_templates_are_validation_templates(templates: list[D.Template]) -> None:
    """`benchmarks.nlu.READ_VALIDATION_TEMPLATES` names keys that are still validation templates (a
    key holds the template's position and text: a changed key would silently count again)."""
    from benchmarks.nlu import READ_VALIDATION_TEMPLATES

    valid = {t.key for t in D.split_templates(templates, seed=0)["valid"]}
    assert READ_VALIDATION_TEMPLATES and READ_VALIDATION_TEMPLATES.issubset(valid)
