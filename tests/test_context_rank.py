"""Context re-ranking of the n-best: each rule, and that the context only breaks close calls."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from runtime.config import Config
from runtime.context import ContextStore
from runtime.events import Interpretation, Slot
from runtime.rank import ContextSnapshot, rerank, rerank_explained, snapshot


def hyp(intent: str, score: float, **slots: str) -> Interpretation:
    return Interpretation(intent, score, [Slot(k, v) for k, v in slots.items()])


def snap(
    config: Config, states: Mapping[str, Mapping[str, Any]] | None = None, hour: int = 12, **prefs: object
) -> ContextSnapshot:
    return ContextSnapshot(
        list(config.devices), {k: dict(v) for k, v in (states or {}).items()}, hour, dict(prefs)
    )


def intents(nbest: list[Interpretation]) -> list[str]:
    return [i.intent for i in nbest]


def test_no_context_keeps_the_models_order(config, living) -> None:
    nbest = [hyp("HassGetCurrentTime", 0.6), hyp("HassGetWeather", 0.3), hyp("HassNevermind", 0.1)]
    ranked, reasons = rerank_explained(nbest, snap(config), living)
    assert ranked == nbest and reasons == []


def test_a_name_that_is_a_fitting_device_supports_the_hypothesis(config, living) -> None:
    nbest = [hyp("HassLightSet", 0.48, name="floor lamp", brightness="fifty"), hyp("HassFanSetSpeed", 0.2)]
    ranked, reasons = rerank_explained(nbest, snap(config), living)
    assert ranked[0].score == 0.58 and "known light" in reasons[0]


def test_media_class_follows_the_screen(config, living, bedroom) -> None:
    nbest = [
        hyp("HassMediaSearchAndPlay", 0.5, search_query="the hunger games", media_class="audiobook"),
        hyp("HassMediaSearchAndPlay", 0.45, search_query="the hunger games", media_class="movie"),
    ]
    on_screen, reasons = rerank_explained(nbest, snap(config), living)
    assert on_screen[0].slot("media_class") == "movie"
    assert any("screen" in r for r in reasons)
    without = rerank(list(reversed(nbest)), snap(config), bedroom)
    assert without[0].slot("media_class") == "audiobook"


def test_stated_media_preference_breaks_a_tie(config, bedroom) -> None:
    nbest = [
        hyp("HassMediaSearchAndPlay", 0.5, search_query="jazz", media_class="radio"),
        hyp("HassMediaSearchAndPlay", 0.5, search_query="jazz", media_class="podcast"),
    ]
    assert rerank(nbest, snap(config, media_class="podcast"), bedroom)[0].slot("media_class") == "podcast"


def test_pause_needs_something_playing(config, bedroom) -> None:
    nbest = [hyp("AmbientStop", 0.5), hyp("HassMediaPause", 0.45)]
    assert intents(rerank(nbest, snap(config), bedroom)) == ["AmbientStop", "HassMediaPause"]
    playing = snap(config, {"bedroom_speaker": {"state": "playing"}})
    ranked, reasons = rerank_explained(nbest, playing, bedroom)
    assert intents(ranked) == ["HassMediaPause", "AmbientStop"]
    assert reasons == ["HassMediaPause +0.10: media is playing in bedroom"]


def test_resume_needs_something_paused(config, bedroom) -> None:
    nbest = [hyp("HassMediaUnpause", 0.5), hyp("HassMediaNext", 0.45)]
    assert intents(rerank(nbest, snap(config, {"bedroom_speaker": {"state": "playing"}}), bedroom)) == [
        "HassMediaNext",
        "HassMediaUnpause",
    ]
    assert intents(rerank(nbest, snap(config, {"bedroom_speaker": {"state": "paused"}}), bedroom))[0] == (
        "HassMediaUnpause"
    )


def test_turning_on_what_is_already_on_is_less_likely(config, living) -> None:
    nbest = [hyp("HassTurnOn", 0.52, name="floor lamp"), hyp("HassTurnOff", 0.48, name="floor lamp")]
    ranked, reasons = rerank_explained(nbest, snap(config, {"floor_lamp": {"state": "on"}}), living)
    assert intents(ranked) == ["HassTurnOff", "HassTurnOn"]
    assert "already on" in reasons[0]


def test_temperature_question_prefers_a_running_oven_and_needs_a_subject(config, living) -> None:
    nbest = [hyp("HassGetState", 0.5), hyp("HassClimateGetTemperature", 0.45)]
    # a state question without a device loses to the temperature question even with the oven off
    assert intents(rerank(nbest, snap(config), living))[0] == "HassClimateGetTemperature"
    ranked, reasons = rerank_explained(nbest, snap(config, {"oven": {"state": "on"}}), living)
    assert ranked[0].intent == "HassClimateGetTemperature"
    assert any("oven is on" in r for r in reasons)


def test_temperature_question_without_any_source_loses(config, living) -> None:
    no_sensors = ContextSnapshot(
        [d for d in config.devices if d.type not in ("climate", "oven", "sensor")], {}, 12
    )
    nbest = [hyp("HassClimateGetTemperature", 0.5), hyp("HassGetWeather", 0.4)]
    assert intents(rerank(nbest, no_sensors, living))[0] == "HassGetWeather"


def test_intent_must_fit_the_named_device(config, living) -> None:
    nbest = [hyp("HassLightSet", 0.5, name="sonos", brightness="20"), hyp("HassSetVolume", 0.4, name="sonos")]
    ranked, reasons = rerank_explained(nbest, snap(config), living)
    assert ranked[0].intent == "HassSetVolume"
    assert "media_player" in reasons[0]


def test_it_after_a_command_is_a_device_command(config, living) -> None:
    nbest = [hyp("AmbientStop", 0.474), hyp("HassTurnOff", 0.472, name="it")]
    assert rerank(nbest, snap(config), living)[0].intent == "AmbientStop"
    after = ContextSnapshot(list(config.devices), {}, 12, {}, ["coffee_maker"])
    ranked, reasons = rerank_explained(nbest, after, living)
    assert ranked[0].intent == "HassTurnOff" and "coffee_maker" in reasons[0]


def test_night_favours_turning_off(config, bedroom) -> None:
    nbest = [hyp("HassTurnOn", 0.5, name="bedroom light"), hyp("HassTurnOff", 0.48, name="bedroom light")]
    assert rerank(nbest, snap(config, hour=14), bedroom)[0].intent == "HassTurnOn"
    assert rerank(nbest, snap(config, hour=23), bedroom)[0].intent == "HassTurnOff"


def test_context_never_overrules_a_confident_model(config, bedroom) -> None:
    """Every rule together moves a score by far less than a confident model's margin."""
    st = {"bedroom_light": {"state": "on"}, "bedroom_speaker": {"state": "paused"}}
    nbest = [hyp("HassTurnOn", 0.9, name="bedroom light"), hyp("HassTurnOff", 0.1, name="bedroom light")]
    assert rerank(nbest, snap(config, st, hour=2), bedroom)[0].intent == "HassTurnOn"


def test_scores_stay_probabilities_and_input_is_untouched(config, living) -> None:
    nbest = [
        hyp("HassMediaPause", 0.05),
        hyp("HassMediaSearchAndPlay", 0.98, search_query="x", media_class="movie"),
    ]
    before = list(nbest)
    ranked = rerank(nbest, snap(config), living)
    assert nbest == before
    assert all(0.0 <= i.score <= 1.0 for i in ranked)
    assert rerank([], snap(config), living) == []


def test_snapshot_reads_the_context(config) -> None:
    ctx = ContextStore(config)
    ctx.update_state("oven", {"state": "on"})
    ctx.update_state("tv", {"state": "playing"})
    ctx.set_available("tv", False)  # an unreachable device's last state is not evidence
    ctx.set_preference("ann", "media_class", "audiobook")
    s = snapshot(ctx, person="ann", now=datetime(2026, 1, 1, 22, 30))
    assert s.state_of("oven") == "on" and s.state_of("tv") is None
    assert s.hour == 22 and s.preferences == {"media_class": "audiobook"}
    assert len(s.devices) == len(config.devices)


def test_a_timer_without_a_time_or_the_word_timer_is_not_a_timer(config, living) -> None:
    def timer(text: str, **slots: str) -> Interpretation:
        return Interpretation("HassStartTimer", 0.9, [Slot(k, v) for k, v in slots.items()], text)

    off = Interpretation("HassTurnOff", 0.1, [], "turn off the music")
    ranked, reasons = rerank_explained([timer("turn off the music"), off], snap(config), living)
    assert intents(ranked) == ["HassTurnOff", "HassStartTimer"] and "needs a time" in reasons[0]
    for kept in (timer("set a timer"), timer("turn off the music in five minutes", minutes="five")):
        assert rerank([kept, off], snap(config), living)[0] == kept


def test_a_timer_request_with_no_timer_running_yields_to_a_device_command(config, kitchen) -> None:
    """ "stop the oven": the model's first reading cancels an oven timer. With no timer running the
    oven's turn-off reading ranks first; with one running, the model's order stands."""
    cancel = Interpretation("HassCancelTimer", 0.66, [Slot("name", "oven")], "stop the oven")
    off = Interpretation("HassTurnOff", 0.39, [Slot("name", "oven")], "stop the oven")
    ranked, reasons = rerank_explained([cancel, off], snap(config), kitchen)
    assert intents(ranked) == ["HassTurnOff", "HassCancelTimer"]
    assert "HassCancelTimer -0.20: no timer is running" in reasons
    running = dataclasses.replace(snap(config), timers=1)
    assert intents(rerank([cancel, off], running, kitchen)) == ["HassCancelTimer", "HassTurnOff"]


def test_a_timer_reading_that_names_a_device_is_ruled_out_and_the_rest_share_its_score(
    config, kitchen
) -> None:
    """The committed model: "stop the oven" cancels a timer (0.91), turns off the oven (0.09). With no
    timer running and no "timer" said the first is ruled out, and the rest are shares of what it left
    (0.09 of 0.09, so the oven is turned off, not rejected as 0.09 would be)."""
    cancel = Interpretation("HassCancelTimer", 0.91, [Slot("name", "oven")], "stop the oven")
    off = Interpretation("HassTurnOff", 0.07, [Slot("name", "oven")], "stop the oven")
    on = Interpretation("HassTurnOn", 0.02, [Slot("name", "oven")], "stop the oven")
    ranked, reasons = rerank_explained([cancel, off, on], snap(config), kitchen)
    assert intents(ranked) == ["HassTurnOff", "HassTurnOn", "HassCancelTimer"]
    assert ranked[0].score >= 0.7 + 0.1 and ranked[-1].score == 0  # 0.07 / 0.09, plus its entity match
    assert any("'oven' is a device" in r for r in reasons)
    # a timer said, or one running: the model's order stands
    said = dataclasses.replace(cancel, text="stop the oven timer")
    assert rerank([said, off], snap(config), kitchen)[0].intent == "HassCancelTimer"
    running = dataclasses.replace(snap(config), timers=1)
    assert intents(rerank([cancel, off], running, kitchen))[0] == "HassCancelTimer"
    # what was ruled out left too little (under 5%) for the others' proportions to mean anything
    sure = dataclasses.replace(cancel, score=0.99)
    tiny = dataclasses.replace(off, score=0.004)
    assert rerank([sure, tiny], snap(config), kitchen)[0].score < 0.5


def test_the_snapshot_counts_the_timers_the_pipeline_reported(config) -> None:
    ctx = ContextStore(config)
    assert snapshot(ctx, satellite="kitchen-sat").timers == 0  # no pipeline: no timer runs
    ctx.set_running_timers("kitchen-sat", 2)
    assert snapshot(ctx, satellite="kitchen-sat").timers == 2
    assert snapshot(ctx, satellite="bedroom-sat").timers == 0
