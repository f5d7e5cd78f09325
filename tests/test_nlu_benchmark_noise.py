"""The benchmark's noisy sets: which errors leave a sentence that another intent's sentence would
leave too (the intent is then unknowable), so that the noisy figure can be read."""

from __future__ import annotations

from benchmarks.nlu import ambiguous, by_ambiguity, intents_by_erasure, shape
from models.nlu.data import Example


def ex(text: str, tags: str, intent: str) -> Example:
    return Example(tuple(text.split()), tuple(tags.split()), intent)


PAUSE = ex("pause the tv", "O O B-name", "HassMediaPause")
ON = ex("turn on the kitchen light", "O O O B-name I-name", "HassTurnOn")
DATA = [
    PAUSE,
    ex("unpause the radio", "O O B-name", "HassMediaUnpause"),
    ON,
    ex("turn off the lamp", "O O O B-name", "HassTurnOff"),
    ex("turn on the lamp please", "O O O B-name O", "HassTurnOn"),
]


def test_shape_names_the_slots() -> None:
    assert shape(ON.words, ON.tags) == ("turn", "on", "the", "{name}")


def test_an_error_on_the_word_that_names_the_intent_is_ambiguous() -> None:
    erased = intents_by_erasure(DATA)
    # substituted or dropped: "unpause the {name}" leaves the same
    assert ambiguous(PAUSE, ex("banana the tv", "O O B-name", PAUSE.intent), erased)
    assert ambiguous(PAUSE, ex("the tv", "O B-name", PAUSE.intent), erased)
    assert ambiguous(ON, ex("turn off the kitchen light", "O O O B-name I-name", ON.intent), erased)
    assert ambiguous(ON, ex("turn the kitchen light", "O O B-name I-name", ON.intent), erased)


def test_other_errors_are_not() -> None:
    erased = intents_by_erasure(DATA)
    assert not ambiguous(ON, ex("banana on the kitchen light", "O O O B-name I-name", ON.intent), erased)
    assert not ambiguous(ON, ex("turn on the light", "O O O B-name", ON.intent), erased)  # a slot word
    assert not ambiguous(ON, ex("turn on uh the kitchen light", "O O O O B-name I-name", ON.intent), erased)
    assert not ambiguous(ON, ON, erased)  # a substitute that is the same word
    # the last word dropped: "turn on the {name}" is a HassTurnOn shape only
    please = DATA[-1]
    assert not ambiguous(please, ex("turn on the lamp", "O O O B-name", please.intent), erased)


def test_accuracy_is_split_by_ambiguity() -> None:
    erased = intents_by_erasure(DATA)
    clean = [PAUSE, ON, ON]
    noisy = [
        ex("banana the tv", "O O B-name", PAUSE.intent),
        ex("turn the kitchen light", "O O B-name I-name", ON.intent),
        ex("turn on uh the kitchen light", "O O O O B-name I-name", ON.intent),
    ]
    split = by_ambiguity(["HassMediaUnpause", "HassTurnOn", "HassTurnOff"], clean, noisy, erased)
    assert split == {"ambiguous": {"n": 2, "intent_acc": 0.5}, "rest": {"n": 1, "intent_acc": 0.0}}
