"""Resolution benchmark: how often context re-ranking + entity resolution + dispatch pick the right
device, ask back, or act on the wrong one, and how long that takes.

    .venv/bin/python benchmarks/resolve.py            # every satellite x every case
    .venv/bin/python benchmarks/resolve.py --quick    # the kitchen satellite only

Cases are built from devices.yaml (the example home), as Interpretations, so the NLU's own errors
do not count here (that is the NLU benchmark's job):

* `name`: every device name and alias, turned on and off (a lock: locked and unlocked), from every
  satellite -> that device;
* `type_word`: "the light", "the lights", "the fan", ... -> the satellite room's main / all devices
  of that type, or a question when the room has none and the home has several;
* `pronoun`: "turn it off" right after turning a device on -> that device (a lock: a question, since
  only "unlock" unlocks);
* `misheard`: each name with one letter dropped or two swapped (as an ASR slip) -> that device,
  or a question; never another device;
* `unknown`: names of things the home doesn't have -> a question, never an action;
* `state`: "what's the temperature" with the oven on/off -> oven/thermostat;
* `everything`: "turn off/on everything in <room>" -> every device there that switches, never a lock
  or a cover, and nothing that heats when turning on; "lock all the doors", "lock everything" -> the
  locks, locked (the state is checked too: unlocking is the wrong action);
* `conjoined`: "turn on the A and the B" for neighbouring devices, "turn off the R1 and R2 lights",
  "turn on the lights in the R1 and the R2" -> the devices of both (when one room has none, the
  other's, and the answer says so; a question if neither has any).
* `everyday`: "louder", "it's too loud", "set the ceiling fan to high", "open the living room blinds
  halfway", "what's the thermostat set to", "what's playing", "make it warmer", "set the thermostat
  to 70", "set the bedroom light to warm white", "close the blinds a bit", "i'm cold", "put the
  lights on in the bedroom", ... (`EVERYDAY`, the example home's devices) -> that
  device with that value (the volume, speed, position, setpoint, color or kind of answer).

With the model present, the ASR grammar's sentences (`runtime.asr.grammar`, draw seeds 0-4) also go
through the whole path, each in a fresh context heard by the kitchen satellite: how many end with an
intent their template does not mean, or rejected (`grammar_through_nlu`).

Outcomes: correct, asked (a clarification where an action was expected), wrong (an action on other
devices, or an action where a question was expected). Wrong is what must stay at 0.
With the trained model present (models/nlu/nlu.int8.onnx), the same `name` and `unknown` cases are
also run from text ("turn on the kitchen light") through the real NLU: the whole `ambient nlu` path.

Writes benchmarks/out/resolve.json and benchmarks/out/resolve.png.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.config import Config, Satellite, load_config  # noqa: E402
from runtime.context import ContextStore  # noqa: E402
from runtime.dispatch import dispatch  # noqa: E402
from runtime.events import Interpretation, Slot  # noqa: E402
from runtime.resolve import interpret, main_device  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
UNKNOWN = [
    "jacuzzi",
    "garage door",
    "dishwasher",
    "robot vacuum",
    "sprinkler",
    "aquarium",
    "hot tub",
    "toaster",
]
ON_OFF = (("HassTurnOn", "turn on"), ("HassTurnOff", "turn off"))
TYPE_WORDS = {"light": "light", "lights": "light", "fan": "fan", "speaker": "media_player", "tv": "tv"}


@dataclass
class Case:
    category: str
    satellite: str
    interp: Interpretation | None  # None: text through the NLU
    text: str
    expect: list[str] | None  # device ids, or None for "must ask"
    before: Interpretation | None = None  # a turn that sets the conversation up
    states: dict[str, dict[str, Any]] | None = None
    state: str | None = None  # the on/off the action must set, where getting it backwards is the harm
    values: dict[str, Any] | None = None  # values the resolution must carry (a volume, a query)


def hyp(intent: str, text: str = "", **slots: str | list[str]) -> Interpretation:
    """An interpretation as the NLU gives it: each slot value (a list: one slot per value) at its
    word span in `text` when it is there."""
    words = text.split()
    out: list[Slot] = []
    for name, given in slots.items():
        for value in [given] if isinstance(given, str) else given:
            vw = value.split()
            taken = {k for s in out for k in range(s.start, s.end)}
            at = next((k for k in range(len(words)) if words[k : k + len(vw)] == vw and k not in taken), -1)
            out.append(Slot(name, value, at, at + len(vw) if at >= 0 else -1))
    return Interpretation(intent, 0.9, out, text)


PLAYING = {"state": "playing", "volume": 40}
HEATING = {"thermostat": {"state": "heat", "target_temperature": 20}}
# (text, intent, slots, devices, values, states): everyday phrasings of the example home, each with
# the value it must set or the kind of answer it must give
EVERYDAY: list[tuple[str, str, dict[str, str | list[str]], list[str], dict[str, Any], dict[str, dict[str, Any]]]] = [
    ("louder", "HassSetVolumeRelative", {"volume_step": "louder"}, ["living_room_speaker"],
     {"volume": 50}, {"living_room_speaker": PLAYING}),
    ("make it quieter", "HassSetVolumeRelative", {"volume_step": "quieter"}, ["living_room_speaker"],
     {"volume": 30}, {"living_room_speaker": PLAYING}),
    ("it's too loud", "HassSetVolumeRelative", {}, ["living_room_speaker"], {"volume": 30},
     {"living_room_speaker": PLAYING}),
    ("i can't hear the tv", "HassSetVolumeRelative", {}, ["tv"], {"volume": 50}, {"tv": PLAYING}),
    ("set the ceiling fan to high", "HassFanSetSpeed", {"name": "ceiling fan", "percentage": "high"},
     ["bedroom_fan"], {"percentage": 100}, {}),
    ("put the extractor fan on low", "HassFanSetSpeed", {"name": "extractor fan", "percentage": "low"},
     ["bathroom_fan"], {"percentage": 33}, {}),
    ("open the living room blinds halfway", "HassSetPosition",
     {"name": "living room blinds", "position": "halfway"}, ["living_room_blinds"], {"position": 50}, {}),
    ("what's the thermostat set to", "HassClimateGetTemperature", {"name": "thermostat"}, ["thermostat"],
     {"query": "temperature"}, {"thermostat": {"state": "heat", "target_temperature": 21}}),
    ("what's playing", "HassGetState", {}, ["tv"], {"query": "state"},
     {"tv": {"state": "playing", "media_title": "Up", "media_class": "movie"}}),
    ("what song is this", "HassGetState", {}, ["living_room_speaker"], {"query": "state"},
     {"living_room_speaker": {"state": "playing", "media_title": "So What"}}),
    ("what's the volume", "HassSetVolumeRelative", {}, ["living_room_speaker"], {"query": "volume"},
     {"living_room_speaker": PLAYING}),
    ("make it warmer", "AmbientSetBrightnessRelative", {}, ["thermostat"], {"target_temperature": 21}, HEATING),
    ("it's too hot in here", "HassClimateGetTemperature", {}, ["thermostat"], {"target_temperature": 19},
     HEATING),
    ("set the thermostat to 70", "HassClimateSetTemperature", {"name": "thermostat", "temperature": "70"},
     ["thermostat"], {"target_temperature": 21}, {}),
    ("set the bedroom light to warm white", "HassLightSet", {"name": "bedroom light", "temperature": "warm white"},
     ["bedroom_light"], {"color": "warm white"}, {}),
    # session 33
    ("close the blinds a bit", "HassTurnOff", {"name": "blinds"}, ["living_room_blinds"], {"position": 75},
     {"living_room_blinds": {"state": "open", "position": 100}}),
    ("turn the temperature up by 2 degrees", "HassClimateSetTemperature", {"temperature": "2"}, ["thermostat"],
     {"target_temperature": 22}, HEATING),
    ("i'm cold", "OutOfDomain", {}, ["thermostat"], {"target_temperature": 21}, HEATING),
    ("make the bedroom light warmer", "AmbientSetBrightnessRelative",
     {"name": "bedroom light", "brightness_step": "warmer"}, ["bedroom_light"], {"color": "warm white"}, {}),
    ("put the lights on in the bedroom", "HassTurnOn", {"domain": "lights", "area": "bedroom"}, ["bedroom_light"],
     {"state": "on"}, {}),
    ("turn the ceiling fan up", "AmbientSetBrightnessRelative", {"name": "ceiling fan"}, ["bedroom_fan"],
     {"percentage": 66}, {"bedroom_fan": {"state": "on", "percentage": 33}}),
    # session 34
    ("stop the blinds", "HassTurnOff", {"name": "blinds"}, ["living_room_blinds"], {"state": "stopped"}, {}),
    ("living room lights at half", "HassSetPosition", {"area": "living room", "domain": "lights", "position": "half"},
     ["living_room_light", "floor_lamp"], {"brightness": 50}, {}),
    ("turn the oven down by 20 degrees", "HassClimateSetTemperature", {"name": "oven", "temperature": "20"}, ["oven"],
     {"target_temperature": 160}, {"oven": {"state": "on", "target_temperature": 180}}),
    ("volume 5", "HassSetVolumeRelative", {"volume_step": "5"}, ["living_room_speaker"], {"volume": 50},
     {"living_room_speaker": PLAYING}),
    ("turn the music up", "AmbientSetBrightnessRelative", {"brightness_step": "up"}, ["living_room_speaker"],
     {"volume": 50}, {"living_room_speaker": PLAYING}),
    ("set the ceiling fan to 3", "HassFanSetSpeed", {"name": "ceiling fan", "percentage": "3"}, ["bedroom_fan"],
     {"percentage": 100}, {}),
    # session 35
    ("turn off the lights upstairs", "HassTurnOff", {"domain": "lights", "floor": "upstairs"},
     ["bedroom_light", "office_light"], {"state": "off"}, {}),
    ("play some beatles in the living room", "HassMediaSearchAndPlay", {"search_query": "beatles", "area": "living room"},
     ["living_room_speaker"], {"media_title": "beatles", "media_class": "music"}, {}),
    ("play songs by adele in the bedroom", "HassMediaSearchAndPlay",
     {"media_class": "songs", "search_query": "adele", "area": "bedroom"}, ["bedroom_speaker"],
     {"media_class": "music"}, {}),
    ("all the lights off in the office", "HassGetState", {"domain": "lights", "area": "office", "state": "off"},
     ["office_light"], {"state": "off"}, {"office_light": {"state": "on"}}),
    # session 36
    ("what speed is the ceiling fan on", "HassGetState", {"name": "ceiling fan", "state": "on"}, ["bedroom_fan"],
     {"query": "speed"}, {"bedroom_fan": {"state": "on", "percentage": 33}}),
    ("make the ceiling fan faster", "OutOfDomain", {}, ["bedroom_fan"], {"percentage": 66},
     {"bedroom_fan": {"state": "on", "percentage": 33}}),
    ("turn the volume all the way up", "HassSetVolumeRelative", {"volume_step": "up"}, ["living_room_speaker"],
     {"volume": 100}, {"living_room_speaker": PLAYING}),
    ("it's getting cold", "OutOfDomain", {}, ["thermostat"], {"target_temperature": 21}, HEATING),
    ("stop everything", "AmbientStop", {}, ["living_room_speaker", "tv"], {"state": "paused"},
     {"living_room_speaker": PLAYING, "tv": PLAYING}),
    ("move the music to the bedroom", "HassSetPosition", {"area": "bedroom"}, ["bedroom_speaker", "living_room_speaker"],
     {"media_title": "So What", "paused_too": ["living_room_speaker"]},
     {"living_room_speaker": {**PLAYING, "media_title": "So What", "media_class": "music"}}),
    # the next two are put right before the model reads them (text.as_meant): from text, not from the
    # interpretation the model gave before ("did i lock ...": HassTurnOn; "three quarters": "three")
    ("did i lock the front door", "HassGetState", {"name": "front door", "state": "locked"}, ["front_door_lock"],
     {"asked_state": "locked"},
     {"front_door_lock": {"state": "unlocked"}}),
    ("set the kitchen light to three quarters", "HassLightSet", {"name": "kitchen light", "brightness": "75"},
     ["kitchen_light"], {"brightness": 75}, {}),
    # session 37: a step said without "by", a setpoint read as a volume, music stopped read as timers,
    # a film paused beside music, a list of rooms with no "and" between two, a fan level after "on"
    ("turn the heat up two degrees", "HassClimateSetTemperature", {"temperature": "two"}, ["thermostat"],
     {"target_temperature": 22}, HEATING),
    ("turn the heat up to 22", "HassSetVolume", {}, ["thermostat"], {"target_temperature": 22}, HEATING),
    ("stop all the music", "HassCancelAllTimers", {}, ["living_room_speaker"], {"state": "paused"},
     {"living_room_speaker": PLAYING}),
    ("pause the movie", "HassMediaPause", {}, ["tv"], {"state": "paused"},
     {"living_room_speaker": PLAYING, "tv": PLAYING}),
    ("turn on the lights in the hallway bedroom and office", "HassTurnOn",
     {"area": ["hallway", "bedroom", "office"]}, ["hallway_light", "bedroom_light", "office_light"], {}, {}),
    ("turn on the bedroom fan on low", "HassFanSetSpeed", {"domain": "fan", "percentage": "low"}, ["bedroom_fan"],
     {"percentage": 33}, {}),
    # session 38: the first word of a device's name, "tv" left untagged in a step, a tv's input, degrees
    # for a room heated by the home's thermostat, "next song" beside a film, lights that only switch
    ("start the coffee", "HassTurnOn", {"name": "coffee"}, ["coffee_maker"], {"state": "on"}, {}),
    ("turn the tv up a bit", "AmbientSetBrightnessRelative", {"brightness_step": "up"}, ["tv"], {"volume": 50},
     {"tv": PLAYING}),
    ("switch to hdmi 2", "HassTurnOn", {"name": "hdmi"}, ["tv"], {"media_source": "HDMI 2"}, {}),
    ("set the bedroom to 21 degrees", "HassClimateSetTemperature", {"area": "bedroom", "temperature": "21"},
     ["thermostat"], {"target_temperature": 21}, HEATING),
    ("next song", "HassMediaNext", {}, ["living_room_speaker"], {}, {"living_room_speaker": PLAYING, "tv": PLAYING}),
    ("turn on the kitchen lights to 70 percent", "HassLightSet",
     {"area": "kitchen", "domain": "lights", "brightness": "70"}, ["kitchen_light", "kitchen_counter_light"],
     {"brightness": 70, "on_too": ["kitchen_counter_light"]}, {}),
    # session 40: a device said not to, one said to be left on, "make sure", everywhere, an app to watch
    ("turn off the kitchen light not the fan", "HassTurnOff", {"area": "kitchen", "domain": ["light", "fan"]},
     ["kitchen_light"], {"state": "off"}, {}),
    ("turn off the living room lights but leave the floor lamp on", "HassTurnOff",
     {"area": "living room", "domain": "lights", "name": "floor lamp"}, ["living_room_light"], {"state": "off"}, {}),
    ("make sure the front door is locked", "HassGetState", {"name": "front door", "state": "locked"},
     ["front_door_lock"], {"state": "on"}, {"front_door_lock": {"state": "unlocked"}}),
    ("play jazz everywhere", "HassMediaSearchAndPlay", {"search_query": "jazz"},
     ["living_room_speaker", "bedroom_speaker"], {"media_title": "jazz"}, {}),
    ("watch netflix", "OutOfDomain", {}, ["tv"], {"media_source": "netflix"}, {}),
]  # fmt: skip


def misheard(name: str) -> list[str]:
    """One dropped letter and one swapped pair, away from the first letter (ASR keeps onsets)."""
    if len(name) < 5:
        return []
    mid = len(name) // 2
    dropped = name[:mid] + name[mid + 1 :]
    swapped = name[: mid - 1] + name[mid] + name[mid - 1] + name[mid + 1 :]
    return [v for v in (dropped, swapped) if v != name and v.strip()]


def build_cases(config: Config, satellites: list[Satellite]) -> list[Case]:
    cases: list[Case] = []
    controllable = [d for d in config.devices if d.command_topic]
    for sat in satellites:
        for d in controllable:
            verbs = (("HassTurnOn", "lock"), ("HassTurnOff", "unlock")) if d.type == "lock" else ON_OFF
            for n in d.names:
                for intent, verb in verbs:
                    text = f"{verb} the {n}"
                    cases.append(Case("name", sat.id, hyp(intent, text, name=n), text, [d.id]))
                for typo in misheard(n):
                    cases.append(
                        Case("misheard", sat.id, hyp("HassTurnOn", name=typo), f"turn on the {typo}", [d.id])
                    )
            cases.append(
                Case(
                    "pronoun",
                    sat.id,
                    hyp("HassTurnOff", "turn it off", name="it"),
                    "turn it off",
                    [d.id] if d.type != "lock" else None,  # a lock is unlocked only when "unlock" is said
                    before=hyp("HassTurnOn", name=d.name),
                )  # fmt: skip
            )
        room = config.room(sat.room)
        for word, dtype in TYPE_WORDS.items():
            local = [d for d in config.devices if d.room == sat.room and d.type == dtype]
            anywhere = [d for d in config.devices if d.type == dtype]
            plural = word.endswith("s")
            alias = [d for d in config.devices if word in d.names]  # "fan" is the ceiling fan's alias
            if local:
                expect: list[str] | None = [d.id for d in local] if plural else [main_device(local, room).id]
            elif alias:
                expect = [d.id for d in alias]
            elif len(anywhere) == 1 or (plural and anywhere):
                expect = [d.id for d in anywhere]
            else:
                expect = None
            cases.append(
                Case("type_word", sat.id, hyp("HassTurnOn", name=word), f"turn on the {word}", expect)
            )
        for name in UNKNOWN:
            cases.append(Case("unknown", sat.id, hyp("HassTurnOn", name=name), f"turn on the {name}", None))
        for r in config.rooms:
            for intent, verb, never in (
                ("HassTurnOff", "turn off", {"lock", "cover"}),
                ("HassTurnOn", "turn on", {"lock", "cover", "oven", "climate"}),
            ):
                there = [d.id for d in controllable if d.room == r.id and d.type not in never]
                text = f"{verb} everything in the {r.name}"
                cases.append(Case("everything", sat.id, hyp(intent, text, area=r.name), text, there or None))
        for a, b in itertools.pairwise(controllable):
            intent, verb = ("HassTurnOn", "turn on") if len(cases) % 2 else ("HassTurnOff", "turn off")
            text = f"{verb} the {a.name} and the {b.name}"
            unlocks = intent == "HassTurnOff" and "lock" in (a.type, b.type)  # asked, never done unsaid
            expect = None if unlocks else [a.id, b.id]
            cases.append(Case("conjoined", sat.id, hyp(intent, text, name=[a.name, b.name]), text, expect))
        for r1, r2 in itertools.pairwise(config.rooms):
            lights = [
                [d.id for d in config.devices if d.room == r.id and d.type == "light"] for r in (r1, r2)
            ]
            # a room with no lights is said and the other's are switched ("There are no lights in the
            # bathroom."); neither with lights: asked
            both = (lights[0] + lights[1]) or None
            text = f"turn off the {r1.name} and {r2.name} lights"
            interp = hyp("HassTurnOff", text, area=[r1.name, r2.name], domain="lights")
            cases.append(Case("conjoined", sat.id, interp, text, both))
            text = f"turn on the lights in the {r1.name} and the {r2.name}"
            cases.append(
                Case("conjoined", sat.id, hyp("HassTurnOn", text, area=[r1.name, r2.name]), text, both)
            )
        locks = [d.id for d in controllable if d.type == "lock"] or None
        for text, interp in (
            ("lock all the doors", hyp("HassTurnOn", "lock all the doors", device_class="doors")),
            ("lock everything", hyp("HassTurnOn", "lock everything")),
        ):
            cases.append(Case("everything", sat.id, interp, text, locks, state="on" if locks else None))
        known = {d.id for d in config.devices}
        for text, intent, slots, ids, values, states in EVERYDAY:
            if known >= set(ids) | set(states):  # the example home's devices
                interp = hyp(intent, text, **slots)
                cases.append(Case("everyday", sat.id, interp, text, ids, states=states, values=values))
        q = hyp("HassClimateGetTemperature", "what's the temperature")
        cases.append(
            Case("state", sat.id, q, q.text, ["oven"], states={"oven": {"state": "on", "temperature": 180}})
        )
        cases.append(Case("state", sat.id, q, q.text, ["thermostat"], states={"oven": {"state": "off"}}))
    return cases


def run_case(case: Case, config: Config, model: Any | None) -> tuple[str, float]:
    ctx = ContextStore(config)
    sat = config.satellite(case.satellite)
    for device_id, fields in (case.states or {}).items():
        ctx.update_state(device_id, fields)
    if case.before is not None:  # the conversation so far, through the same path as the case
        before = model.parse(f"turn on the {case.before.slot('name')}") if model else [case.before]
        interpret(before, ctx, sat)
    t0 = time.perf_counter()
    if model is not None:
        nbest = model.parse(case.text)
    else:
        assert case.interp is not None
        nbest = [case.interp]
    _, resolution = interpret(nbest, ctx, sat)
    action = dispatch(resolution, ctx)
    elapsed = time.perf_counter() - t0
    acted = sorted({c.device_id for c in action.commands}) or sorted(resolution.device_ids)
    if action.kind in ("clarify", "none") or not acted:
        return ("correct" if case.expect is None else "asked"), elapsed
    if case.expect is None:
        return "wrong", elapsed
    if case.state is not None and resolution.values.get("state") != case.state:
        return "wrong", elapsed
    if case.values is not None and any(resolution.values.get(k) != v for k, v in case.values.items()):
        return "wrong", elapsed
    return ("correct" if acted == sorted(case.expect) else "wrong"), elapsed


def grammar_through_nlu(config: Config, model: Any, seeds: range = range(5)) -> dict[str, Any]:
    """The ASR grammar's sentences through NLU, re-ranking and resolution: intents their template
    does not mean, and rejections, as `ambient nlu` would act in a fresh context."""
    from runtime.asr.grammar import acted_on, meaning, misread, sentences_by_template

    sat = config.satellite("kitchen-sat")

    def acted_as(text: str) -> str:
        return meaning(acted_on(model, config, sat, text))

    drawn = [sentences_by_template(config, seed=seed) for seed in seeds]
    missed = [
        miss
        for d in tqdm(drawn, desc="ASR grammar through the NLU (draws)")
        for m in misread(acted_as, d).values()
        for miss in m
    ]
    rejected = [text for text, got in missed if got == "OutOfDomain"]
    wrong = [f"{text} -> {got}" for text, got in missed if got != "OutOfDomain"]
    return {
        "sentences": sum(len(texts) for d in drawn for texts in d.values()),
        "wrong": len(wrong),
        "rejected": len(rejected),
        "examples": (wrong + rejected)[:10],
    }


def summarize(outcomes: list[tuple[Case, str, float]]) -> dict[str, Any]:
    by_cat: dict[str, Counter[str]] = defaultdict(Counter)
    for case, outcome, _ in outcomes:
        by_cat[case.category][outcome] += 1
    times = sorted(t for *_, t in outcomes)
    total = Counter(o for _, o, _ in outcomes)
    n = len(outcomes)
    return {
        "cases": n,
        "correct_rate": round(total["correct"] / n, 4),
        "asked_rate": round(total["asked"] / n, 4),
        "wrong_rate": round(total["wrong"] / n, 4),
        "by_category": {k: dict(v) for k, v in sorted(by_cat.items())},
        "latency_ms": {
            "p50": round(statistics.median(times) * 1000, 3),
            "p95": round(times[int(0.95 * (n - 1))] * 1000, 3),
            "max": round(times[-1] * 1000, 3),
        },
        "wrong_examples": [
            {"category": c.category, "satellite": c.satellite, "text": c.text, "expect": c.expect}
            for c, o, _ in outcomes
            if o == "wrong"
        ][:20],
    }


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [k for k in ("interpretations", "text_through_nlu") if k in results]
    fig, axes = plt.subplots(1, len(runs), figsize=(6 * len(runs), 4), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        cats = results[run]["by_category"]
        names = list(cats)
        bottom = [0.0] * len(names)
        for outcome, color in (("correct", "tab:green"), ("asked", "tab:orange"), ("wrong", "tab:red")):
            vals = [cats[c].get(outcome, 0) / max(1, sum(cats[c].values())) for c in names]
            ax.bar(names, vals, bottom=bottom, color=color, label=outcome)
            bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
        ax.set_title(f"{run} (n={results[run]['cases']})")
        ax.set_ylabel("share of cases")
        ax.tick_params(axis="x", rotation=30)
        ax.set_ylim(0, 1.15)
        ax.legend(loc="upper center", ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="kitchen satellite only")
    parser.add_argument("--config", type=Path, default=ROOT / "devices.yaml")
    args = parser.parse_args()
    config = load_config(args.config)
    satellites = [config.satellite("kitchen-sat")] if args.quick else list(config.satellites)
    cases = build_cases(config, satellites)
    results: dict[str, Any] = {"config": str(args.config), "satellites": [s.id for s in satellites]}
    outcomes = [(c, *run_case(c, config, None)) for c in tqdm(cases, desc="interpretations")]
    results["interpretations"] = summarize(outcomes)

    model_path = config.resolve_path(config.nlu.model)
    if model_path.is_file():
        from runtime.nlu.model import NluModel

        model = NluModel.from_config(config)
        text_cases = [
            c
            for c in cases
            if c.category in ("name", "unknown", "pronoun", "state", "everything", "conjoined", "everyday")
        ]
        outcomes = [(c, *run_case(c, config, model)) for c in tqdm(text_cases, desc="text through the NLU")]
        results["text_through_nlu"] = summarize(outcomes)
        results["text_through_nlu"]["note"] = "latency includes the NLU model"
        results["grammar_through_nlu"] = grammar_through_nlu(config, model)
    else:
        results["text_through_nlu"] = {"skipped": f"{model_path} not found; run `ambient nlu-train`"}

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "resolve.json").write_text(json.dumps(results, indent=2))
    if "cases" in results["text_through_nlu"]:
        plot(results, OUT / "resolve.png")
    else:
        plot({"interpretations": results["interpretations"]}, OUT / "resolve.png")
    for run in ("interpretations", "text_through_nlu"):
        r = results[run]
        if "cases" in r:
            print(
                f"{run}: {r['cases']} cases, correct {r['correct_rate']:.1%}, asked {r['asked_rate']:.1%}, "
                f"wrong {r['wrong_rate']:.1%}; latency p50 {r['latency_ms']['p50']} ms, p95 {r['latency_ms']['p95']} ms"
            )
            print(f"  by category: {json.dumps(r['by_category'])}")
        else:
            print(f"{run}: {r['skipped']}")
    if "grammar_through_nlu" in results:
        g = results["grammar_through_nlu"]
        print(
            f"ASR grammar through the NLU: {g['sentences']} sentences, {g['wrong']} wrong intent, {g['rejected']} rejected"
        )
    print(f"wrote {OUT / 'resolve.json'} and {OUT / 'resolve.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
