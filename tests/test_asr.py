"""pocketsphinx constrained by the home's grammar: commands word-exact, everything else rejected."""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from runtime.asr import AsrEngine, create_engine, transcribe
from runtime.asr.grammar import (
    draw_number,
    grammar_jsgf,
    grammar_pattern,
    in_grammar,
    lm_sentences,
    number_words,
    parse,
    sample,
    sentences_by_template,
    slot_values,
    usable_templates,
)
from runtime.asr.lm import NgramLM
from runtime.asr.pronounce import british_variants, espeak_phones, espeak_phones_of
from runtime.asr.sphinx import PocketsphinxEngine, cache_dir
from runtime.asr.wer import word_errors
from runtime.audio.sources import chunk_samples
from runtime.config import Config
from runtime.events import Partial, Transcript

Say = Callable[..., np.ndarray]
VOICES = [("en-us", 160), ("en-gb", 140), ("en-us+m3", 180), ("en-us+f3", 150), ("en-gb+f2", 170)]
OUT_OF_GRAMMAR = [
    "the quick brown fox jumps over the lazy dog",
    "who was the first president of the united states",
    "stock markets fell sharply on monday morning",
    "i went to the store to buy some bread",
    "the meeting has been moved to thursday afternoon",
    "she plays the piano every evening",
    "the train was delayed by twenty minutes",
    "he forgot his umbrella at the office",
]


@pytest.fixture(scope="module")
def engine(config: Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PocketsphinxEngine]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AMBIENT_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield PocketsphinxEngine(config)


def pad(x: np.ndarray) -> np.ndarray:
    z = np.zeros(3200, np.int16)
    return np.concatenate([z, x, z])


def test_grammar_templates_parse_and_samples_use_the_homes_names(config: Config) -> None:
    sentences = sample(config, 1000, seed=1)  # enough that every name turns up, whatever the templates
    assert len(set(sentences)) > 150
    text = " ".join(sentences)
    assert "kitchen light" in text and "living room" in text and "front door" in text
    assert all(s == s.lower() and "<" not in s for s in sentences)
    assert number_words(42) == "forty two" and number_words(100) == "one hundred"
    with pytest.raises(ValueError, match="unbalanced"):
        parse("turn (on | off the light")


def test_a_template_added_leaves_the_others_lm_sentences_as_they_were(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one shared draw gave every template new sentences when one was added, and moved which
    # commands were misheard; each template now draws on its own
    from runtime.asr import grammar

    before = lm_sentences(config, 7)
    templates = list(usable_templates(slot_values(config)))
    assert len(before) == 7 * len(templates)
    monkeypatch.setattr(grammar, "TEMPLATES", (*grammar.TEMPLATES, "is the <light> (dim | bright)"))
    after = lm_sentences(config, 7)
    assert after[: len(before)] == before and len(after) == len(before) + 7
    assert all(s.startswith("is the ") for s in after[len(before) :])
    monkeypatch.setattr(grammar, "TEMPLATES", tuple(t for t in grammar.TEMPLATES if t != templates[0]))
    assert lm_sentences(config, 7) == before[7:] + after[len(before) :]


def test_only_what_runs_is_started_or_stopped(config: Config) -> None:
    # "stop the fan" and "stop the coffee maker" (a switch by name) are things people say; "stop the
    # switch" and "start the lights" are not, and every model misread them
    said = {
        s
        for seed in range(5)
        for s in sentences_by_template(config, seed=seed)["(start | stop) the <runnable>"]
    }
    assert {"stop the fan", "stop the coffee maker", "start the oven", "stop the music"} <= said
    assert not {s for s in said if s.split()[-1] in ("switch", "light", "lights", "lamp")}


def test_grammar_pattern_accepts_template_sentences_only(config: Config) -> None:
    # the n-best rescoring trusts this test of membership: every sampled sentence passes, and the
    # LM-only word sequences the decoder produced on the dev set do not
    pattern = grammar_pattern(config)
    assert all(in_grammar(pattern, s) for s in sample(config, 300, seed=3))
    assert in_grammar(pattern, "turn on the kitchen light") and in_grammar(pattern, "  thank  you ")
    for text in ["volume to olive", "lower the living room light it", "stop you", "turn on the", ""]:
        assert not in_grammar(pattern, text), text


def test_language_model_is_a_proper_distribution_and_prefers_commands(config: Config) -> None:
    lm = NgramLM(sample(config, 500, seed=2))
    vocab = [g[0] for g in lm.p1]  # includes </s>
    for context in [("<s>",), ("turn", "on"), ("the", "kitchen"), ("zebra", "the")]:
        total = sum(lm.prob((*context, w)) for w in vocab)
        assert total == pytest.approx(1.0, abs=0.02), context
    fluent = lm.word_logprobs("turn on the kitchen light")
    salad = lm.word_logprobs("light the on kitchen turn")
    assert sum(fluent) / len(fluent) > sum(salad) / len(salad) + 0.5
    assert "\\3-grams:" in lm.to_arpa()


def test_words_missing_from_the_dictionary_get_espeak_pronunciations() -> None:
    assert espeak_phones("sonos") == ["S", "OW", "N", "OW", "Z"]
    assert espeak_phones("extractor")[:3] == ["EH", "K", "S"]
    assert espeak_phones("two words") == []  # one word at a time
    many = espeak_phones_of(["sonos", "extractor", "42", "kitchen"])
    assert many["sonos"] == espeak_phones("sonos") and "42" not in many and many["kitchen"]


def test_british_speakers_get_variants_where_the_dictionary_is_american() -> None:
    known = {
        "thank": frozenset(["TH AE NG K"]),
        "floor": frozenset(["F L AO R"]),
        "stop": frozenset(["S T AA P"]),
        "timer": frozenset(["T AY M ER"]),
    }
    variants = british_variants(["thank", "floor", "stop", "timer", "sonos"], known)
    # an open [a] and no r after a vowel; "stop" is the same both sides; "sonos" has no entry to vary
    assert variants == {"thank(2)": "TH AA NG K", "floor(2)": "F L AO", "timer(2)": "T AY M AH"}


def test_a_sentence_of_the_templates_is_accepted_however_rare_its_words(
    engine: PocketsphinxEngine, say: Say, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the fluency threshold is for word salad, which no template makes; here no text is fluent enough
    monkeypatch.setattr(engine, "reject_below", 0.0)
    t = transcribe(engine, pad(say("dim floor lamp to eleven percent")))
    assert (t.text, t.rejected) == ("dim floor lamp to eleven percent", False), t
    assert engine.fluency(t.text) < 0.0 and t.confidence >= 0.5
    t = transcribe(engine, pad(say("the quick brown fox jumps over the lazy dog")))
    assert t.rejected and "out of grammar" in t.reject_reason, t


def test_a_british_thank_you_is_not_heard_as_stop_you(engine: PocketsphinxEngine, say: Say) -> None:
    # en-gb's "thank" came out as "stop" (and was rejected) for 4 of the benchmark's 6 en-gb
    # thank-yous before the British variants; the n-best and grammar pass did not recover it
    for voice, speed in [("en-gb", 130), ("en-gb+f2", 160), ("en-gb+f2", 190), ("en-gb-x-rp", 160)]:
        t = transcribe(engine, pad(say("thank you", voice=voice, speed=speed)))
        assert (t.text, t.rejected) == ("thank you", False), (voice, speed, t)


def test_compiled_language_model_is_cached_on_disk(engine: PocketsphinxEngine, config: Config) -> None:
    files = sorted(cache_dir().glob("lm-*"))
    assert [f.suffix for f in files] == [".arpa", ".json"]
    meta = json.loads(files[1].read_text())
    # the sentences the LM was trained on, the home's names in them (which ones a draw holds varies)
    assert meta["pronunciations"]["sonos"] and "kitchen light" in " ".join(meta["sentences"])
    assert meta["variants"]["thank(2)"] == "TH AA NG K"
    PocketsphinxEngine(config)  # a second engine reads the cache instead of compiling again
    assert sorted(cache_dir().glob("lm-*")) == files


def test_commands_are_transcribed_word_exactly(engine: PocketsphinxEngine, config: Config, say: Say) -> None:
    sentences = sample(config, 20, seed=11)
    errors = words = rejected = exact = 0
    report = []
    for i, sentence in enumerate(sentences):
        voice, speed = VOICES[i % len(VOICES)]
        t = transcribe(engine, pad(say(sentence, voice=voice, speed=speed)))
        words += len(sentence.split())
        if t.rejected:
            rejected += 1
            errors += len(sentence.split())
        else:
            errors += word_errors(sentence, t.text)
        exact += t.text == sentence and not t.rejected
        report.append((sentence, voice, t.text, t.reject_reason))
    # measured: ~4-10% WER on espeak-ng voices (the f2/f3 voices are the hardest), see benchmarks/audio.py
    assert errors / words <= 0.12, report
    assert exact >= 14, report
    assert rejected <= 2, report


# requests the runtime learned from typed text (sessions 36-38), said: before the grammar held them,
# 65% of them were rejected when spoken and 31% heard as another command (benchmarks/spoken.py)
LEARNED = [
    "make the bedroom light warmer",
    "switch the tv to hdmi two",
    "set the bedroom to twenty one degrees",
    "wake me up at seven on saturday",
    "who sings this",
    "skip back",
    "give me a status report",
    "resume the movie",
    "tell me a joke",
    "what's your name",  # heard as "what's the weather"
    "how many days until christmas",
    "turn on the lights dimmed",  # heard as "turn on the lights in the lounge", and they came on full
    "no two hours",  # a timer just set, put right (rejected)
    "no i said six p m",  # an alarm just set, put right (heard as "what's at six p m")
    "turn off the lights at eleven p m",  # heard as "... in the living room", and done now
    "lock the front door in five minutes",  # heard as "lock the front door", and done now
    "i'm leaving",  # what people teach most (heard as "i really", rejected)
    # session 41: the second time was lost ("... in five minutes"); rejected (b46eca8's grammar lacked them)
    "turn off the kitchen light in five minutes and the counter lights in ten",
    "remind me tomorrow at seven to call mom",
    "set an alarm for half past six",
    "play music for my wife",
    "it's too fast",
    # session 42: heard as "set the heating to twenty one degrees" and "turn the heating off in twenty two hour"
    "set the heating to twenty one until ten p m",
    "turn the heating up to twenty two for an hour",
    "add milk to my shopping list",  # a list: rejected
    "what's on my shopping list",
    "play taylor swift",  # an artist alone: rejected
    # session 43: rejected, or heard as another command ("turn off floor lamp", "what artist do i have")
    "cancel my seven a m alarm",
    "turn off all alarms",
    "what alarms do i have",
    "snooze",
    "put on some music in the bedroom",
    "how many things are on my shopping list",
    "turn on the fan in the bedroom at medium",
    # session 44: "Sorry" typed; spoken, heard as "what is the news", "what time is it", or rejected
    "what day is christmas",
    "when is thanksgiving",
    "what time is it in london",
    "how many ounces are in a cup",
    "how long has the tv been on",
]


def test_requests_learned_from_text_are_heard_when_spoken(engine: PocketsphinxEngine, say: Say) -> None:
    heard = [transcribe(engine, pad(say(s))) for s in LEARNED]
    got = [(s, t.text, t.reject_reason) for s, t in zip(LEARNED, heard, strict=True)]
    assert sum(t.text == s and not t.rejected for s, t in zip(LEARNED, heard, strict=True)) >= 35, got


def test_sleep_sounds_are_heard(engine: PocketsphinxEngine, say: Say) -> None:
    # "play rain sounds for thirty minutes" was heard as "play raise hours for thirty minutes", rejected
    # "stop the white noise" was heard word for word, and rejected as out of grammar
    for said in ("play white noise", "play rain sounds in the bedroom", "stop the white noise"):
        t = transcribe(engine, pad(say(said)))
        assert (t.text, t.rejected) == (said, False), t.reject_reason


def test_teens_are_as_likely_as_tens_in_the_language_model(config: Config) -> None:
    # numbers drawn uniformly over 0-100 began with "seventy" 47 times to "seventeen"'s once, and
    # "set the thermostat to seventeen degrees" was heard as "seventy eight"
    said = Counter(w for s in lm_sentences(config, 60) for w in s.split())
    # ("thirty" and "forty" are clock minutes too)
    for teen, tens in (
        ("sixteen", "sixty"),
        ("seventeen", "seventy"),
        ("eighteen", "eighty"),
        ("nineteen", "ninety"),
    ):
        assert said[teen] >= said[tens] / 2, (teen, said[teen], tens, said[tens])
    first = Counter(draw_number(random.Random(i)).split()[0] for i in range(29_000))
    assert len(first) == 28 and min(first.values()) > 800  # each ~1,000 times ("one" twice: "one hundred")


def test_follow_ups_about_it_are_heard(engine: PocketsphinxEngine, say: Say) -> None:
    # "turn it off" was heard as "turn tv off" or "turn heater off", "turn it on" as "are the door on":
    # 64% of such follow-ups acted on another device (benchmarks/spoken.py)
    said = ["turn it off", "turn it on", "turn them off", "set it to fifty percent", "make it brighter"]
    heard = [transcribe(engine, pad(say(s))) for s in said]
    got = [(s, t.text, t.reject_reason) for s, t in zip(said, heard, strict=True)]
    assert sum(t.text == s and not t.rejected for s, t in zip(said, heard, strict=True)) >= 4, got


BASIC = ["turn on the light", "turn on the lights", "turn off the light", "what's the temperature"]


def test_room_less_commands_are_command_language(engine: PocketsphinxEngine, config: Config) -> None:
    # "the light" means the satellite's room's light: the LM must know it without a room or name
    text = " ".join(sample(config, 400, seed=3))
    assert " the light" in text and " the lights" in text
    for sentence in BASIC:  # template sentences (accepted), and fluent enough for the LM's search to find
        assert in_grammar(engine.grammar, sentence) and engine.fluency(sentence) > -1.1, sentence


@pytest.mark.parametrize("voice", ["en-us", "en-us+m3"])
def test_room_less_commands_are_heard(engine: PocketsphinxEngine, say: Say, voice: str) -> None:
    heard = [transcribe(engine, pad(say(s, voice=voice))) for s in BASIC]
    got = [(t.text, t.reject_reason) for t in heard]
    assert not any(t.rejected for t in heard), got
    assert sum(t.text == s for t, s in zip(heard, BASIC, strict=True)) >= 3, got


@pytest.mark.parametrize("voice", ["en-us", "en-gb"])
@pytest.mark.parametrize("lead_s", [0.08, 0.3])
def test_a_fresh_decoder_hears_its_first_command_after_silence(
    engine: PocketsphinxEngine, config: Config, say: Say, voice: str, lead_s: float
) -> None:
    # a fresh decoder's cepstral mean is the model's default; streamed alone, en-gb's first command
    # came out as "to on the kitchen light off"
    fresh = PocketsphinxEngine(config)  # the LM comes from the module's cache
    speech = say("turn on the kitchen light", voice=voice)
    audio = np.concatenate([np.zeros(int(lead_s * 16000), np.int16), speech, np.zeros(3200, np.int16)])
    t = transcribe(fresh, audio)
    assert not t.rejected, t.reject_reason
    assert t.text == "turn on the kitchen light"


def test_out_of_grammar_speech_is_rejected(engine: PocketsphinxEngine, say: Say) -> None:
    results = [transcribe(engine, pad(say(s, voice=VOICES[i % 3][0]))) for i, s in enumerate(OUT_OF_GRAMMAR)]
    rejected = [t for t in results if t.rejected]
    assert len(rejected) >= 6, [(s, t.text) for s, t in zip(OUT_OF_GRAMMAR, results, strict=True)]
    assert all(t.reject_reason for t in rejected)


def test_words_have_times_and_partials_stream(engine: AsrEngine, say: Say) -> None:
    audio = pad(say("set the thermostat to twenty one degrees"))
    engine.start()
    partials = [p for c in chunk_samples(audio) if (p := engine.accept(c)) is not None]
    t = engine.final()
    assert t.text == "set the thermostat to twenty one degrees" and not t.rejected
    assert all(isinstance(p, Partial) for p in partials) and partials[0].text.startswith("set")
    starts = [w.start for w in t.words]
    assert starts == sorted(starts) and t.words[-1].end <= len(audio) / 16000 + 0.01
    assert all(0.0 <= w.confidence <= 1.0 for w in t.words) and t.engine == "pocketsphinx"
    assert t.confidence > 0.5


def test_silence_is_not_a_command(engine: PocketsphinxEngine) -> None:
    t = transcribe(engine, np.zeros(16000, np.int16))
    assert t.rejected and t.text == ""


def test_factory_builds_the_configured_engine(config: Config, tmp_path: Path) -> None:
    assert isinstance(create_engine(config), PocketsphinxEngine)


def test_nbest_rescoring_takes_the_first_template_sentence(
    engine: PocketsphinxEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Hyp:
        def __init__(self, hypstr: str) -> None:
            self.hypstr = hypstr

    class Decoder:  # pocketsphinx's n-best: fillers, pronunciation variants, and None for some paths
        def nbest(self) -> Iterator[Hyp | None]:
            yield from [
                None,
                Hyp("<s> volume to olive </s>"),
                Hyp("volume(2) down [NOISE]"),
                Hyp("volume up"),
            ]

    monkeypatch.setattr(engine, "decoder", Decoder())
    assert engine._grammatical_alternative() == "volume down"


def test_grammar_jsgf_holds_the_templates_with_known_words_only(config: Config) -> None:
    jsgf = grammar_jsgf(config)
    assert jsgf.startswith("#JSGF V1.0;") and "public <command> = " in jsgf
    assert "(thank you)" in jsgf and "kitchen light" in jsgf and "<number> = zero | one" in jsgf
    # an unknown word would make pocketsphinx refuse the whole grammar: its slot values and
    # templates are left out instead
    partial = grammar_jsgf(config, known=lambda w: w not in {"kitchen", "thank"})
    assert "kitchen" not in partial and "(thank you)" not in partial and "living room" in partial


def test_grammar_pass_takes_only_template_sentences_close_to_what_was_heard(
    engine: PocketsphinxEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def grammar_says(text: str) -> None:
        t = Transcript(text, 0.9, engine="pocketsphinx", rejected=not text)
        monkeypatch.setattr(engine, "_batch_transcript", lambda raw, keep_cmn, search: t)

    grammar_says("please turn the coffee maker on please")
    fixed = engine._grammar_transcript(b"", ["please don't the coffee maker on please"], keep_cmn=False)
    assert fixed is not None and fixed.text == "please turn the coffee maker on please" and not fixed.rejected
    grammar_says("are the blinds on")  # ordinary speech forced into the grammar: far from what was heard
    heard = ["the blinds one light on movie", "the blinds one light on"]
    assert engine._grammar_transcript(b"", heard, keep_cmn=False) is None
    grammar_says("")  # the grammar's search reached no final state
    assert engine._grammar_transcript(b"", ["next meant"], keep_cmn=False) is None
    # close to one of the n-best hypotheses is enough
    grammar_says("next track")
    fixed = engine._grammar_transcript(b"", ["mute to rock", "next to rack"], keep_cmn=False)
    assert fixed is not None and fixed.text == "next track"


# Commands the LM pass misheard on the dev set (benchmarks/asr_dev.py), with the voice, speed and pitch
# that made it mishear: "please don't the coffee maker on please", "you the bedroom light", ...
MISHEARD = [
    ("please turn the coffee maker on please", "en-gb-scotland", 160, 50),
    ("set the heating to ninety five degrees", "en-us+f4", 130, 50),
    ("dim the bedroom light", "en-gb+m3", 160, 50),
    ("how much time is left on the timer", "en-us+m2", 130, 60),
    ("turn off the heater in the study", "en-us+f1", 130, 60),
    ("make the main light dimmer", "en-us+f1", 130, 50),
    ("when i say movie time turn on the fan", "en-us+m7", 130, 40),
    ("set the oven to seventy nine degrees", "en-us+m1", 130, 40),
]


def test_grammar_pass_repairs_commands_the_language_model_misheard(
    engine: PocketsphinxEngine, say: Say, monkeypatch: pytest.MonkeyPatch
) -> None:
    repaired: list[str] = []
    grammar_transcript = engine._grammar_transcript

    def counted(raw: bytes, heard: list[str], keep_cmn: bool) -> Transcript | None:
        t = grammar_transcript(raw, heard, keep_cmn)
        if t is not None:
            repaired.append(t.text)
        return t

    monkeypatch.setattr(engine, "_grammar_transcript", counted)
    heard = [transcribe(engine, pad(say(s, voice=v, speed=sp, pitch=p))) for s, v, sp, p in MISHEARD]
    got = [(t.text, t.rejected) for t in heard]
    exact = sum(t.text == s and not t.rejected for t, (s, *_) in zip(heard, MISHEARD, strict=True))
    # measured: 8 of 8 exact on the dev set, all through the grammar pass; the streaming pass's
    # cepstral mean differs with the utterances before, so not every one needs the pass here
    assert exact >= 6, got
    assert len(repaired) >= 3 and set(repaired) <= {s for s, *_ in MISHEARD}, (repaired, got)


def test_the_answers_to_the_question_just_asked_are_heard(engine: PocketsphinxEngine, say: Say) -> None:
    """ "Which one: the tv or the living room speaker?", then "the tv": heard word for word, but no
    template sentence, so rejected ("Sorry, I didn't catch that."). The pipeline tells the engine which
    answers to expect; a request said instead is still heard as itself."""
    from runtime.choices import device_answers, timer_answers
    from runtime.timers import RunningTimer

    names = ["tv", "television", "living room speaker", "sonos", "speaker"]
    try:
        assert transcribe(engine, pad(say("the tv"))).rejected  # not expected: as before
        engine.expect(device_answers(names, ["living room"], 2))
        for said in ("the tv", "the living room speaker", "both of them"):
            t = transcribe(engine, pad(say(said)))
            assert (t.text, t.rejected) == (said, False), t
        assert transcribe(engine, pad(say("what time is it"))).text == "what time is it"
        # "the egg timer" was heard as "mute timer": the answers' grammar, close to what was heard
        egg = RunningTimer(1, "kitchen-sat", 180, 0.0, name="egg")
        engine.expect(timer_answers([egg, RunningTimer(2, "kitchen-sat", 300, 0.0)]))
        for said in ("the egg timer", "the five minute one"):  # benchmarks/spoken.py --answers: the rest
            t = transcribe(engine, pad(say(said)))
            assert (t.text, t.rejected) == (said, False), t
        engine.expect([])
        assert transcribe(engine, pad(say("the tv"))).rejected  # the question is over
    finally:
        engine.expect([])
