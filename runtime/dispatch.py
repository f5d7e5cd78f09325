"""Dispatch: a Resolution -> the Action to take (MQTT commands, a spoken answer, or a question).

Pure: it reads the context (device states, the config) and returns an `Action`; sending the
commands and waiting for the state echo (`Command.expect`) is the MQTT bridge's job. Payloads come
from `runtime.conventions`, the one table of the three conventions.

Answers are built from live state only; when a state has not been reported yet we say so rather
than guess. Weather: without a forecast source we say so, and report the outdoor sensor if there
is one.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from runtime import lists
from runtime.clock import said_time
from runtime.config import Device, Home
from runtime.context import ContextStore
from runtime.conventions import ON_OFF_STATES, READINGS, ConventionError, command_payload, expected_state
from runtime.events import Action, Command, Resolution
from runtime.holidays import holiday, next_holiday, title
from runtime.phrasings import ANSWERED, CHANCE, INPUTS, WEEKDAYS, days_to_weekday
from runtime.places import place_name
from runtime.rank import INTENT_TYPES, ON_A_TIMER, VIDEO_CLASSES, named_devices, said_words
from runtime.resolve import LISTING_WORDS, SOME_WORDS, SORRY, cap, normalize, outdoor
from runtime.sun import NO_PLACE, Event, next_sun_time, sun_time
from runtime.timers import ALARM, Repeat, RunningTimer, duration_text

# the state a field can report, and how to say it
STATE_WORDS = {"on": "on", "off": "off", "open": "open", "closed": "closed", "locked": "locked",
               "unlocked": "unlocked", "playing": "playing", "paused": "paused", "stopped": "stopped"}  # fmt: skip
# a phrase not taught yet with one of these is taught as turning the lights on ("when I say reading mode,
# turn on the lights"); any other, off
LIGHTS_ON_PHRASE_WORDS = frozenset(
    {"home", "back", "awake", "up", "morning", "reading", "party", "work", "focus", "study", "dinner"}
)
# requests on a running timer: the pipeline cancels, or finds and changes the timer meant
CANCEL_INTENTS = frozenset({"HassCancelTimer", "HassCancelAllTimers"})
TIMER_INTENTS = ON_A_TIMER - CANCEL_INTENTS


def dispatch(resolution: Resolution, ctx: ContextStore, *, now: datetime | None = None) -> Action:
    """What to do for `resolution`, given the house as it is now."""
    if resolution.clarification:
        return Action("clarify", text=resolution.clarification)
    values = resolution.values
    intent = resolution.interpretation.intent
    if values.get("out_of_domain"):
        return Action("none", text=SORRY)
    if values.get("negated"):
        return Action("none", text="OK, I won't.")
    devices = [d for d in (ctx.device(i) for i in resolution.device_ids) if d is not None]
    if len(devices) != len(resolution.device_ids):
        missing = sorted(set(resolution.device_ids) - {d.id for d in devices})
        return Action("clarify", text=f"I can't find {', '.join(missing)} any more.")
    query = values.get("query")
    if query == "temperature" and values.get("extreme"):  # "which room is the warmest": it, then the rest
        top, reading = devices[0], (s.state.get("temperature") if (s := ctx.state(devices[0].id)) else None)
        lead = f"The {_room_name(ctx, top.room)} is the {values['extreme']}, at {_deg(reading)}."
        return Action("answer", text=" ".join([lead, *(_temperature(d, ctx) for d in devices[1:])]))
    if query == "temperature" and values.get("comparative"):  # "is it colder in the office or the hallway"
        (top, other), states = devices, [ctx.state(d.id) for d in devices]
        top_at, other_at = (s.state.get("temperature") if s is not None else None for s in states)
        if top_at == other_at:
            return Action("answer", text=f"It's the same in both: {_deg(top_at)}.")
        lead = f"The {_room_name(ctx, top.room)} is {values['comparative']}, at {_deg(top_at)}."
        return Action("answer", text=f"{lead} {_temperature(other, ctx)}")
    if query == "temperature":
        nowhere = f"There's no thermometer in the {values['not_in']}. " if values.get("not_in") else ""
        return Action("answer", text=nowhere + " ".join(_temperature(d, ctx) for d in devices))
    if query == "volume":
        return Action("answer", text=" ".join(_volume(d, ctx) for d in devices))
    if query == "color":  # "what color is the floor lamp"
        return Action("answer", text=" ".join(_color(d, ctx) for d in devices))
    if query == "humidity":
        humid = [f"The humidity is {_clean(_humidity(d, ctx))}% {_where(d, ctx)}." for d in devices]
        return Action("answer", text=" ".join(humid) or "No sensor here reports the humidity.")
    if query == "where":  # "where is the floor lamp"
        return Action("answer", text=_where_they_are(devices, ctx))
    if query == "since":  # "how long has the tv been on"; of several, those that are
        asked = values.get("asked_state")
        so = [
            d
            for d in devices
            if (s := ctx.state(d.id)) and asked and _is_as_asked(d, _on_off_state(s.state), asked)
        ]
        text = " ".join(_since(d, ctx, asked, now or datetime.now()) for d in so or devices)
        return Action("answer", text=text)
    if query == "muted":  # "is the tv muted"
        return Action("answer", text=" ".join(_muted(d, ctx) for d in devices))
    if query == "speed":
        return Action("answer", text=" ".join(_speed(d, ctx) for d in devices))
    if query == "reading":  # "how much power is the tv using"
        return Action("answer", text=_readings(str(values["reading"]), devices, ctx))
    if query == "batteries":  # "are any batteries low"
        return Action("answer", text=_batteries(devices, ctx))
    if query == "mode":  # "what mode is the thermostat in"
        return Action("answer", text=" ".join(_mode(d, ctx) for d in devices))
    if query == "playing" and not devices:
        where = f" in the {values['nowhere']}" if values.get("nowhere") else ""
        return Action("answer", text=f"Nothing is playing{where}.")
    if query == "state":
        asked = values.get("asked_state")
        first = normalize(resolution.interpretation.text).split()[:2]
        count = first == ["how", "many"]  # "how many lights are on", "how many lights are in the kitchen"
        if not asked and devices and count:
            # "how many lights are in the kitchen": a count, not each one's state
            kind = resolution.interpretation.slot("domain") or "devices"
            one_room = {d.room for d in devices}
            where = f" in the {_room_name(ctx, one_room.pop())}" if len(one_room) == 1 else " in the home"
            are = "is" if len(devices) == 1 else "are"
            return Action(
                "answer",
                text=f"There {are} {len(devices)} {kind}{where}: {_names([d.name for d in devices])}.",
            )
        which = count or bool(set(first[:1]) & LISTING_WORDS)
        if asked and (len(devices) > 1 or which):  # "are any lights on": one answer, not one per light
            # ("which doors are unlocked", one door: "Yes, the front door is unlocked.")
            every = not which and not said_words(resolution.interpretation) & SOME_WORDS
            return Action("answer", text=_states(devices, ctx, asked, which, count, every).strip())
        return Action("answer", text=" ".join(_state(d, ctx, asked) for d in devices))
    if values.get("help"):
        return Action("answer", text=help_text(resolution, ctx))
    if values.get("able"):  # "what lights can change color"
        what = "change color" if values["able"] == "color" else "dim"
        names = values.get("able_lights") or []
        if asked_of := values.get("asked_of"):  # "can the floor lamp change color": yes or no
            yes = [n for n in asked_of if n in names]
            said = f"Yes, {_names(yes)} can {what}" if yes else f"No, {_names(asked_of)} can't {what}"
            return Action("answer", text=f"{said}.")
        said = f"{_names(names)} can {what}" if names else f"No light here can {what}"
        return Action("answer", text=f"{cap(said)}.")
    if "broadcast" in values:  # the pipeline's runtime says it in those rooms
        rooms = values.get("to_rooms") or []
        where = _names(rooms) if len(rooms) < 4 else "every other room"
        return Action("answer", text=f"OK, I'm saying it in {where}: {values['broadcast']}.")
    if "list" in values:  # "add milk to my shopping list": changed by the resolver, said here
        request = lists.ListRequest(values["list_action"], values["list"], tuple(values["list_done"]))
        changed = lists.Changed(
            tuple(values["list_items"]),
            tuple(values["list_done"]),
            tuple(values["list_not_done"]),
            bool(values.get("list_made")),
            bool(values.get("list_missing")),
        )
        return Action("answer", text=lists.said(request, changed))
    if "stopwatch" in values:  # the pipeline has it, and words the answer again
        return Action("answer", text="There is no stopwatch here.")
    if "calculated" in values:  # "what's 15 times 12"
        return Action("answer", text=str(values["calculated"]))
    if "told" in values:  # "where am i", "what rooms do you know": said as the resolver found it
        return Action("answer", text=str(values["told"]))
    if values.get("answered") in ANSWERED:  # "what's your name", "tell me a joke", "goodbye"
        *_, kind, texts = ANSWERED[values["answered"]]
        if values["answered"] in CHANCE:  # a coin flipped twice in a minute may land either way
            return Action(kind, text=random.choice(texts))
        # by the minute, and "another joke" the next one
        pick = (now or datetime.now()).minute + (
            "another" in normalize(resolution.interpretation.text).split()
        )
        return Action(kind, text=texts[pick % len(texts)])
    if values.get("listed") and resolution.area:  # "what devices are in the bedroom"
        room = _room_name(ctx, resolution.area)
        if not devices:
            return Action("answer", text=f"I know no device in the {room}.")
        return Action("answer", text=f"In the {room} I know {_names([d.name for d in devices])}.")
    if values.get("listed"):  # "list my devices": room by room, what can be commanded
        known = [d for d in ctx.devices() if d.command_topic]
        rooms = dict.fromkeys(d.room for d in known)
        each = [
            f"in the {_room_name(ctx, r)}, {_names([d.name for d in known if d.room == r])}" for r in rooms
        ]
        return Action("answer", text=f"I know {len(known)} devices: {'; '.join(each)}.")
    if values.get("greeting"):  # nothing taught for it yet: say how
        said = str(values["greeting"]).replace("goodnight", "good night")
        example = "turn on the lights" if said == "good morning" else "turn off the lights"
        name = f", {values['name_said']}" if values.get("name_said") else ""
        return Action(
            "answer",
            text=f"{said.capitalize()}{name}! To make {_quoted(said)} do something, say: when I say {_quoted(said)}, {example}.",
        )
    if values.get("teachable"):  # "i'm going to bed", "start my morning routine": nothing taught yet
        said = values["teachable"]
        waking = bool(set(said.split()) & LIGHTS_ON_PHRASE_WORDS)
        example = "turn on the lights" if waking else "turn off the lights"
        text = f"I don't know what {_quoted(said)} should do yet. To teach me, say: when I say {_quoted(said)}, {example}."
        return Action("answer", text=text)
    if "undo" in values:  # "undo": each device back to its own fields, whatever the intent read
        return _commands(resolution, devices, ctx)
    if intent in ON_A_TIMER:  # dispatch cannot see the timers: worded as if none runs
        return Action("answer", text=no_timer(resolution, ctx))
    answer = _answer(intent, values, ctx, now or datetime.now())
    if answer is not None:
        return answer
    return _commands(resolution, devices, ctx)


def _answer(intent: str, values: dict[str, Any], ctx: ContextStore, now: datetime) -> Action | None:
    if intent == "HassGetCurrentTime" and "zone" in values:  # "what time is it in tokyo"
        return Action("answer", text=_time_in(str(values["zone"]), str(values["place"]), now))
    if intent == "HassGetCurrentTime" and "sun" in values:  # "what time is sunset"
        return Action("answer", text=_sun_said(values, ctx.config.home, now))
    if intent == "HassGetCurrentTime":
        return Action("answer", text=f"It's {said_time(now)}.")
    if intent == "HassGetWeather":
        out, inside = _reading(ctx, outside=True), _reading(ctx, outside=False)
        if values.get("inside_too") and out is not None and inside is not None:  # "warmer inside or outside"
            than = "warmer inside" if inside > out else "warmer outside" if out > inside else "the same"
            return Action("answer", text=f"It's {_deg(inside)} inside and {_deg(out)} outside: {than}.")
        if values.get("elsewhere"):  # "what's the weather in paris": not here's
            here = f" Here it's {_deg(out)} outside." if out is not None else ""
            return Action(
                "answer",
                text=f"I can't get the weather in {place_name(values['elsewhere'])}: I run offline.{here}",
            )
        if out is None:
            return Action("answer", text="I don't have a weather source configured.")
        if values.get("reading_only"):  # "how cold is it outside": no forecast was asked for
            return Action("answer", text=f"It's {_deg(out)} outside.")
        return Action("answer", text=f"I don't have a weather forecast, but it's {_deg(out)} outside.")
    if intent == "HassStartTimer":
        return Action("answer", text=_timer_set(values, now))
    if intent == "HassGetCurrentDate" and "until_day" in values:  # "how many days until friday"
        return Action(
            "answer",
            text=_days_until_said(
                str(values["until_said"]),
                date.fromisoformat(str(values["until_day"])),
                now.date(),
                str(values.get("unit", "days")),
                bool(values.get("also_next")),
            ),
        )
    if intent == "HassGetCurrentDate" and "until" in values:  # "how many days until christmas"
        return Action(
            "answer",
            text=_holiday(
                str(values["until"]),
                now.date(),
                bool(values.get("next_year")),
                str(values.get("unit", "days")),
            ),
        )
    if intent == "HassGetCurrentDate" and values.get("part"):
        return Action("answer", text=f"It's {now.year if values['part'] == 'year' else now.strftime('%B')}.")
    if intent == "HassGetCurrentDate" and "weekday" in values:  # "what's the date on friday"
        return Action(
            "answer", text=_weekday_date(str(values["weekday"]), now, bool(values.get("also_next")))
        )
    if intent == "HassGetCurrentDate":
        days = int(values.get("days", 0))
        day = now + timedelta(days=days)
        said = {1: "Tomorrow is", -1: "Yesterday was"}.get(days, "It's")
        return Action("answer", text=f"{said} {day.strftime('%A, %B')} {day.day}.")
    if intent == "HassNevermind":
        return Action("none")
    if intent == "AmbientNegativeFeedback":
        return Action("none", text="Sorry about that.")
    if intent == "AmbientThanks":
        return Action("none", text="You're welcome.")  # "none": it closes the conversation, no follow-up
    if "speech_amplitude" in values:  # "speak up": the pipeline tells its speaker
        if values.get("speech_limit"):
            return Action(
                "answer",
                text=f"This is as {'loud' if values['speech'] == 'louder' else 'quietly'} as I can speak.",
            )
        return Action("answer", text=f"OK, I'll speak {values['speech']}.")
    if "speech_wpm" in values:  # "speak slower": the pipeline tells its speaker
        how = values["speech"]
        if values.get("speech_limit"):
            return Action(
                "answer", text=f"This is as {'slowly' if how == 'slower' else 'fast'} as I can speak."
            )
        return Action(
            "answer", text="OK, back to my normal speed." if how == "normal" else f"OK, I'll speak {how}."
        )
    if intent == "AmbientTeachPreference" and "called" in values:  # "call me sam"
        return Action("answer", text=f"OK, I'll call you {values['called']}.")
    if intent == "AmbientTeachPreference" and "called_asked" in values:  # "what's my name"
        name = values["called_asked"]
        unknown = "I don't know your name yet. To tell me, say: call me, and your name."
        return Action("answer", text=f"You're {name}." if name else unknown)
    if intent == "AmbientTeachPreference" and "called_forgotten" in values:
        return Action(
            "answer",
            text="OK, I've forgotten your name."
            if values["called_forgotten"]
            else "I didn't know your name.",
        )
    if intent == "AmbientTeachPreference" and "known" in values:
        return Action("answer", text=_known(values["known"]))
    if intent == "AmbientTeachPreference" and "forgot" in values:  # "forget that i like jazz"
        like, liked = ("dislike", "disliked") if values.get("dislike") else ("like", "liked")
        if not values.get("known_before"):
            return Action("answer", text=f"I didn't know you {liked} {values['forgot']}.")
        return Action("answer", text=f"OK, I've forgotten that you {like} {values['forgot']}.")
    if intent == "AmbientTeachPreference" and "forgot_all" in values:
        if values["forgot_all"]:
            return Action("answer", text="OK, I've forgotten what you like and the phrases you taught me.")
        kept = " The phrases you taught me stay: say forget and the phrase."
        return Action("answer", text=f"OK, I've forgotten what you like.{kept}")
    if intent == "AmbientTeachCommand" and values.get("asked"):
        return Action("answer", text=f"When you say {values['phrase']}, I {values['command']}.")
    if intent == "AmbientTeachCommand" and values.get("forgotten"):
        return Action("answer", text=f"OK, I've forgotten {values['phrase']}.")
    if intent == "AmbientTeachCommand" and values.get("name"):  # "when i say the big light i mean ..."
        return Action(
            "answer", text=f"OK. When you say {values['phrase']}, I'll take it as the {values['name']}."
        )
    if intent == "AmbientTeachCommand":
        return Action("answer", text=f"OK. When you say {values['phrase']}, I'll {values['command']}.")
    if intent == "AmbientTeachPreference" and values.get("lights_on_at"):
        return Action("answer", text=f"OK, the lights will come on at {values['lights_on_at']:g}%.")
    if intent == "AmbientTeachPreference" and values.get("dislike"):
        return Action("answer", text=f"OK, I'll remember you don't like {values['preference']}.")
    if intent == "AmbientTeachPreference" and values.get("liked_title"):  # "i love this song"
        return Action("answer", text=f"OK, I'll remember you like {values['liked_title']}.")
    if intent == "AmbientTeachPreference":
        return Action("answer", text=f"OK, I'll remember: {values['preference']}.")
    if intent == "AmbientLearnPreferences" and not values.get("learning"):
        return Action("answer", text="OK, I'll stop learning your preferences.")
    if intent == "AmbientLearnPreferences":
        return Action("answer", text="OK, I'll learn your preferences from what you do.")
    if intent == "AmbientStop" and not values.get("state"):
        return Action("none")
    return None


def device_fields(device: Device, values: dict[str, Any]) -> dict[str, Any]:
    """The resolution's values as the normalized fields this device type understands."""
    fields: dict[str, Any] = {}
    for key in ("state", "brightness", "color", "target_temperature", "position", "volume", "percentage",
                "muted", "media_command"):  # fmt: skip
        if key in values:
            fields[key] = values[key]
    if fields.get("state") in ("on", "off") and device.type in ON_OFF_STATES:
        on, off = ON_OFF_STATES[device.type]
        fields["state"] = on if fields["state"] == "on" else off
    if "media_title" in values:
        fields["media_title"] = values["media_title"]
        fields["media_class"] = values.get("media_class")
    if "media_source" in values:  # "play stranger things on netflix": Home Assistant's source
        fields["source"] = values["media_source"]
    return fields


def _commands(resolution: Resolution, devices: list[Device], ctx: ContextStore) -> Action:
    values = resolution.values
    commands: list[Command] = []
    player = ctx.satellite_player(str(values.get("satellite", "")))
    if not devices and player is not None and player.command_topic:  # the satellite plays it itself
        play = {"media_title": values.get("media_title"), "media_class": values.get("media_class")}
        # nothing reports a satellite's state: what it was told is what "pause" and "what's playing" read
        expect = {"state": "playing", **play}
        commands.append(Command(player.id, player.command_topic, json.dumps(play), expect))
    for device in devices:
        fields = values["undo"][device.id] if "undo" in values else device_fields(device, values)
        try:
            topic, payload = command_payload(device, fields)
        except ConventionError as e:
            return Action("clarify", text=f"I can't do that with the {device.name}: {e}.")
        commands.append(Command(device.id, topic, payload, expected_state(device, fields)))
    # "move the music to the bedroom": paused where it was; "turn on the lights to 70%": on, if they can't dim
    also = [("paused_too", "paused"), ("on_too", "on")]
    for key, state in also:
        for device in (d for i in values.get(key, []) if (d := ctx.device(i)) is not None):
            fields = device_fields(device, {"state": state})
            try:
                topic, payload = command_payload(device, fields)
            except ConventionError:
                continue
            commands.append(Command(device.id, topic, payload, expected_state(device, fields)))
    if not commands:
        return Action("none")
    not_there = "".join(f" {said}" for said in values.get("not_there", []))  # "There are no lights in ..."
    return Action("command", commands, _confirmation(resolution, devices) + not_there)


def _lacking(v: dict[str, Any]) -> str:
    """ " The counter lights can't dim (turned on).": the lights named that lack what was set."""
    if not v.get("lacking"):
        return ""
    names = _names(v["lacking"])
    what = "dim" if "brightness" in v else "change color"
    on = f"; I turned {'them' if _are(v['lacking']) == 'are' else 'it'} on" if v.get("on_too") else ""
    return f" {cap(names)} can't {what}{on}."


def _confirmation(resolution: Resolution, devices: list[Device]) -> str:
    v = resolution.values
    names = _names([d.name for d in devices]) if devices else "here"
    if "undo" in v and v.get("halfway"):  # "too much", just after a step
        return f"Back a bit: {_levels_said(v['undo'], devices)}."
    if "undo" in v:
        if v.get("said_wrong"):  # "that's wrong" just after the command
            return f"Sorry about that. {cap(names)} {_are([d.name for d in devices])} back as before."
        return f"Undone: {names} {_are([d.name for d in devices])} back as before."
    if str(v.get("media_source", "")).startswith("HDMI") or v.get("media_source") in INPUTS.values():
        # "switch the tv to hdmi 2", "to the ps5"
        return f"Switching {names} to {v['media_source']}."
    if "media_source" in v and "media_title" not in v:  # "open netflix"
        return f"Opening {v['media_source']} on the {names.removeprefix('the ')}."
    if "media_title" in v:
        kind = "" if not v.get("media_class") else f" ({str(v['media_class']).replace('_', ' ')})"
        if str(v["media_title"]).split()[-1:] == [v.get("media_class")]:  # "music (music)"
            kind = ""
        where = ""
        if devices:  # "play jazz everywhere": every speaker said
            where = f" on {names}"
        elif "played_in" in v:  # another room's satellite plays it
            where = f" in the {v['played_in']}"
        return f"Playing {v['media_title']}{kind}{where}."
    if "brightness_step" in v:  # "dim the kitchen light"
        doing = "Brightening" if v["brightness_step"] == "up" else "Dimming"
        return f"{doing} {names} to {_clean(v['brightness'])}%."
    if "brightness" in v or "color" in v:
        parts = [f"{_clean(v['brightness'])}%"] if "brightness" in v else []
        parts += [str(v["color"])] if "color" in v else []
        return f"Setting {names} to {' and '.join(parts)}.{_lacking(v)}"
    if "target_temperature" in v:
        said = f" ({_clean(v['fahrenheit'])} Fahrenheit)" if "fahrenheit" in v else ""
        return f"Setting {names} to {_deg(v['target_temperature'])}{said}."
    if "volume" in v:
        return f"Setting the volume of {names} to {_clean(v['volume'])}%."
    if "percentage" in v:
        return f"Setting {names} to speed {_clean(v['percentage'])}%."
    if "muted" in v:
        return f"{'Muting' if v['muted'] else 'Unmuting'} {names}."
    if "position" in v:
        return f"Setting {names} to {_clean(v['position'])}%."
    if "media_command" in v:
        return f"{str(v['media_command']).capitalize()} on {names}."
    state = str(v.get("state"))
    if state == "paused":
        return f"Pausing {names}."
    if state == "playing":
        return f"Resuming {names}."
    verbs = {("cover", "on"): "Opening", ("cover", "off"): "Closing", ("cover", "stopped"): "Stopping",
             ("lock", "on"): "Locking", ("lock", "off"): "Unlocking"}  # fmt: skip
    kinds = {d.type for d in devices}
    verb = verbs.get((kinds.pop(), state)) if len(kinds) == 1 else None
    return f"{verb} {names}." if verb else f"Turning {state} {names}."


# --- answers from live state -----------------------------------------------------------------------


def _reading(ctx: ContextStore, outside: bool) -> float | None:
    """A temperature measured outside (an outdoor sensor), or inside (a thermostat first: the home's)."""
    kinds = ("sensor",) if outside else ("climate", "sensor")
    for kind in kinds:
        for d in (d for d in ctx.devices() if d.type == kind and outdoor(d) == outside):
            temp = (s.state if (s := ctx.state(d.id)) is not None else {}).get("temperature")
            if isinstance(temp, int | float):
                return float(temp)
    return None


def _temperature(device: Device, ctx: ContextStore) -> str:
    s = ctx.state(device.id)
    state = s.state if s is not None else {}
    if s is not None and not s.available:
        return f"The {device.name} is not responding."
    temp = state.get("temperature")
    if device.type == "oven":
        if not isinstance(temp, int | float) and state.get("state") == "off":  # an oven off reports none
            return f"The {device.name} is off."
        if not isinstance(temp, int | float):
            return f"I don't know the {device.name}'s temperature yet."
        target = state.get("target_temperature")
        heating = f", heating to {_deg(target)}" if isinstance(target, int | float) and target != temp else ""
        return f"The {device.name} is at {_deg(temp)}{heating}."
    target = state.get("target_temperature")
    setpoint = f"The {device.name} is set to {_deg(target)}." if isinstance(target, int | float) else ""
    if not isinstance(temp, int | float):  # "what's the thermostat set to" with no reading yet
        return setpoint or f"I don't know the temperature from the {device.name} yet."
    where = _where(device, ctx)
    return f"It's {_deg(temp)} {where}. {setpoint}".strip()


def _time_in(zone: str, place: str, now: datetime) -> str:
    """ "It's 2:21 PM in Tokyo.", with the weekday there when it is another day than here."""
    here = now if now.tzinfo is not None else now.astimezone()  # a naive time is this machine's
    there = here.astimezone(ZoneInfo(zone))
    on = f" on {there.strftime('%A')}" if there.date() != here.date() else ""
    return f"It's {said_time(there)}{on} in {place_name(place)}."


def _weekday_date(weekday: str, now: datetime, also_next: bool) -> str:
    """The coming `weekday`'s date (tomorrow .. a week from today); "next friday" means either, so both."""
    ahead = days_to_weekday(weekday, now.date())
    this, after = now + timedelta(days=ahead), now + timedelta(days=ahead + 7)
    if also_next:
        return f"This {this:%A} is {this:%B} {this.day}; the one after is {after:%B} {after.day}."
    return (
        f"Tomorrow is {this:%A}, {this:%B} {this.day}."
        if ahead == 1
        else f"{this:%A} is {this:%B} {this.day}."
    )


def _holiday(name: str, today: date, next_year: bool, unit: str = "days") -> str:
    """ "Christmas is in 18 days, on Friday, December 25."; next year's: "... is on Sunday, March 28, 2027";
    in weeks: "... is in 2 weeks and 4 days"; in sleeps (a child's count): the nights to go."""
    day = holiday(name, today.year + 1) if next_year else next_holiday(name, today)
    if day is None:
        return SORRY
    on = f"{day.strftime('%A, %B')} {day.day}"
    if next_year:
        return f"{title(name)} next year is on {on}, {day.year}."
    return f"{title(name)} {_counted((day - today).days, unit)}, on {on}."


def _counted(days: int, unit: str) -> str:
    """ "is in 18 days"; "is tomorrow"; in weeks: "is in 2 weeks and 4 days"; in sleeps: the nights."""
    said = "is today" if days == 0 else "is tomorrow" if days == 1 else f"is in {days} days"
    if unit == "weeks" and days >= 7:
        weeks, rest = divmod(days, 7)
        said = f"is in {weeks} week{'s' * (weeks > 1)}" + (
            f" and {rest} day{'s' * (rest > 1)}" if rest else ""
        )
    elif unit == "sleeps" and days > 1:
        said = f"is {days} sleeps away"
    return said


def _days_until_said(said: str, day: date, today: date, unit: str, also_next: bool) -> str:
    """ "Friday is in 4 days, on December 11."; "December 25 is in 18 days, on a Friday."; "next
    friday", either Friday: "This Friday is in 4 days, on December 11; the one after in 11 days." """
    days = (day - today).days
    if said in (d.title() for d in WEEKDAYS):
        if also_next:
            return (
                f"This {said} {_counted(days, unit)}, on {day:%B} {day.day}; "
                f"the one after {_counted(days + 7, unit).removeprefix('is ')}."
            )
        return f"{said} {_counted(days, unit)}, on {day:%B} {day.day}."
    year = f", {day.year}" if day.year != today.year else ""
    return f"{said} is today." if days == 0 else f"{said}{year} {_counted(days, unit)}, on a {day:%A}."


def _since(device: Device, ctx: ContextStore, asked: str | None, now: datetime) -> str:
    """Since when `device` has been in its on/off state, as far as this runtime has heard."""
    s = ctx.state(device.id)
    state = _on_off_state(s.state) if s is not None else ""
    if s is None or not state:
        return f"I don't know the state of the {device.name} yet."
    if asked and not _is_as_asked(device, state, asked):
        return f"The {device.name} {_be(device.name)} {state}, not {STATE_WORDS.get(asked, asked)}."
    has = "have" if _be(device.name) == "are" else "has"
    then = datetime.fromtimestamp(s.since)
    clock = said_time(then)
    if then.date() != now.date():
        clock = f"{'yesterday' if (now.date() - then.date()).days == 1 else then.strftime('%A')} at {clock}"
    if not s.since_seen:  # it was so when this runtime first heard from it
        return f"The {device.name} {has} been {state} since at least {clock}, when I first heard from it."
    minutes = max(0, int(now.timestamp() - s.since)) // 60
    took = f"for {duration_text(minutes * 60)}" if minutes else "for less than a minute"
    return f"The {device.name} {has} been {state} {took}, since {clock}."


def _state(device: Device, ctx: ContextStore, asked: str | None) -> str:
    s = ctx.state(device.id)
    if s is None or not s.state:
        return f"I don't know the state of the {device.name} yet."
    if not s.available:
        return f"The {device.name} is not responding."
    fields = s.state
    if device.type == "sensor" or (device.type == "climate" and "state" not in fields):
        return _temperature(device, ctx)
    state = _on_off_state(fields)
    be = _be(device.name)
    if asked and not state:
        return f"I don't know whether the {device.name} {be} {STATE_WORDS.get(asked, asked)} yet."
    if asked in ("open", "closed") and device.type == "lock":  # "is the door open": locked is shut
        if state == "locked":
            return f"{'No' if asked == 'open' else 'Yes'}, the {device.name} {be} locked."
        return f"I can't tell whether the {device.name} {be} {asked}; it {be} {state}."
    if asked:
        yes = "Yes" if _is_as_asked(device, state, asked) else "No"
        return f"{yes}, the {device.name} {be} {state or 'in an unknown state'}."
    details = []
    if (
        state in ("on", "open")
        and isinstance(fields.get("brightness"), int | float)
        and device.type == "light"
    ):
        details.append(f"at {_clean(fields['brightness'])}%")
    if device.type == "cover" and isinstance(fields.get("position"), int | float):
        details.append(f"at {_clean(fields['position'])}%")
    if device.type == "oven" and state == "on" and isinstance(fields.get("temperature"), int | float):
        details.append(f"at {_deg(fields['temperature'])}")
    if state == "playing" and fields.get("media_title"):
        cls = fields.get("media_class")
        what = "the movie" if cls in VIDEO_CLASSES else ""
        by = f" by {fields['media_artist']}" if fields.get("media_artist") else ""  # "who sings this"
        details.append(f"{what} {fields['media_title']}{by}".strip())
    elif state in ("on", "playing") and fields.get("source") and device.type in ("tv", "media_player"):
        details.append(f"showing {fields['source']}")  # "what's on tv": its input or app
    said = STATE_WORDS.get(state, state or "in an unknown state")
    if details and details[-1].startswith("showing "):
        said += ","
    return f"The {device.name} {be} {' '.join([said, *details])}."


def help_text(resolution: Resolution, ctx: ContextStore) -> str:
    """ "What can you do": what to say, with this room's devices as the examples."""
    room = resolution.area or ""
    here = [d for d in ctx.devices() if d.room == room and d.command_topic]
    text = (
        "You can ask me to turn things on or off, dim the lights, set the thermostat, lock the door, "
        "play music, set a timer, or ask what's on. Say undo to take a command back, and teach me "
        "phrases: when I say movie time, I mean turn off the lights."
    )
    if here:
        text += f" In the {_room_name(ctx, room)} I know {_names([d.name for d in here])}."
    return text


def _room_name(ctx: ContextStore, room_id: str) -> str:
    """The room's name as said ("living room"), or its id if devices.yaml has no such room."""
    return next((r.name for r in ctx.config.rooms if r.id == room_id), room_id)


def _color(device: Device, ctx: ContextStore) -> str:
    if "color" not in device.features:
        return f"The {device.name} can't change color."
    s = ctx.state(device.id)
    color = s.state.get("color") if s is not None else None
    return (
        f"The {device.name} {_be(device.name)} {color}."
        if color
        else f"I don't know the {device.name}'s color yet."
    )


def _humidity(device: Device, ctx: ContextStore) -> float:
    s = ctx.state(device.id)
    return float(s.state["humidity"]) if s is not None else 0.0


def _where(device: Device, ctx: ContextStore) -> str:
    return "outside" if outdoor(device) else f"in the {_room_name(ctx, device.room)}"


def _volume(device: Device, ctx: ContextStore) -> str:
    s = ctx.state(device.id)
    volume = s.state.get("volume") if s is not None else None
    if not isinstance(volume, int | float):
        return f"I don't know the volume of the {device.name} yet."
    return f"The volume of the {device.name} is {_clean(volume)}%."


def _known(known: dict[str, Any]) -> str:
    """ "What do you know about me": what was taught, and whether it learns."""
    said = []
    if known.get("called"):
        said.append(f"Your name is {known['called']}.")
    if known.get("likes"):
        said.append(f"You like {_and(known['likes'])}.")
    if known.get("dislikes"):
        said.append(f"You don't like {_and(known['dislikes'])}.")
    cls, liked = known.get("media_class"), " ".join(known.get("likes") or [])
    if cls and cls not in liked:  # "i prefer audiobooks" is a like too
        said.append(f"You prefer {cls}s.")
    if known.get("lights_on_at"):
        said.append(f"You like the lights at {_clean(known['lights_on_at'])}%.")
    if known.get("taught"):
        said.append(f"You taught me {_and(known['taught'])}.")
    if known.get("names"):  # "call the living room light the big light"
        said.append(f"You call {_and([f'the {device} {name}' for name, device in known['names']])}.")
    if not said:
        said.append(
            "I don't know anything about you yet. Tell me what you like, or teach me a phrase: "
            "when I say movie time, turn off the lights."
        )
    if known.get("learning") is not None:
        said.append(
            "I learn from what you do." if known["learning"] else "I'm not learning from what you do."
        )
    return " ".join(said)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _muted(device: Device, ctx: ContextStore) -> str:
    """Whether a player is muted, as its state says."""
    s = ctx.state(device.id)
    muted = (s.state if s is not None else {}).get("muted")
    if not isinstance(muted, bool):
        return f"I don't know whether the {device.name} is muted."
    return f"Yes, the {device.name} is muted." if muted else f"No, the {device.name} isn't muted."


def _readings(field: str, devices: list[Device], ctx: ContextStore) -> str:
    """Each device's reading of `field` ("The tv is using 85 watts."); several plugs' power, their sum
    first; none: that no device here reports it."""
    what, unit = READINGS[field]
    values = [(d, float(s.state[field])) for d in devices if (s := ctx.state(d.id)) is not None]
    if not values:
        return f"No device here reports the {what}."
    if field == "battery":
        return " ".join(f"The {d.name}'s battery is at {round(v)}%." for d, v in values)
    if field == "power":
        each = [f"{d.name} {round(v)}" for d, v in values]  # whole watts: a plug's decimals are noise
        if len(values) == 1:
            return f"The {values[0][0].name} is using {round(values[0][1])} {unit}."
        return f"{round(sum(v for _, v in values))} {unit} in all: {_names(each)}."
    return " ".join(f"The {what} is {_clean(v)} {unit} {_where(d, ctx)}." for d, v in values)


# a battery at or below this is low: zigbee2mqtt devices warn near here, and a lock needs time to be seen to
BATTERY_LOW = 20


def _batteries(devices: list[Device], ctx: ContextStore) -> str:
    """The batteries that are low ("The front door's battery is low: 12%."), else the lowest; `devices`
    are the ones that report one, lowest first."""
    levels = [(d, float(s.state["battery"])) for d in devices if (s := ctx.state(d.id)) is not None]
    if not levels:
        return "No device here reports its battery."
    low = [f"the {d.name}'s, at {round(v)}%" for d, v in levels if v <= BATTERY_LOW]
    if low:
        return f"{'This battery is' if len(low) == 1 else 'These batteries are'} low: {_and(low)}."
    d, v = levels[0]
    return f"No battery is low. The lowest is the {d.name}'s, at {round(v)}%."


def _mode(device: Device, ctx: ContextStore) -> str:
    """A thermostat's mode, as it reports it ("heat", "cool", "auto"), and its setpoint."""
    s = ctx.state(device.id)
    fields = s.state if s is not None else {}
    if fields.get("state") == "off":  # its last mode is kept, but it is in none
        return f"The {device.name} is off."
    mode = fields.get("mode")
    if not isinstance(mode, str):
        on = fields.get("state") == "on"
        return (
            f"The {device.name} is on; I don't know its mode."
            if on
            else f"I don't know the {device.name}'s mode yet."
        )
    target = fields.get("target_temperature")
    at = f", set to {_clean(target)} degrees" if isinstance(target, int | float) else ""
    return f"The {device.name} is in {mode} mode{at}."


def _speed(device: Device, ctx: ContextStore) -> str:
    """A fan's speed: its percentage, or off."""
    s = ctx.state(device.id)
    fields = s.state if s is not None else {}
    if _on_off_state(fields) == "off":
        return f"The {device.name} is off."
    speed = fields.get("percentage")
    if not isinstance(speed, int | float) or isinstance(speed, bool):
        return f"I don't know the speed of the {device.name} yet."
    return f"The {device.name} is at speed {_clean(speed)}%."


def _states(
    devices: list[Device],
    ctx: ContextStore,
    asked: str,
    which: bool = False,
    count: bool = False,
    every: bool = False,
) -> str:
    """ "Are any lights on": yes and the ones that are, or no and what they are. "Which lights are
    on": the ones that are, or none and what they are; "how many": how many first. With `every`
    ("are the lights off", "is everything off"): yes only if all known are, else no and the others."""
    by_state: dict[str, list[str]] = {}
    unknown: list[str] = []
    yes: list[str] = []
    for d in devices:
        s = ctx.state(d.id)
        state = _on_off_state(s.state) if s is not None and s.available else ""
        if not state:
            unknown.append(d.name)
            continue
        if _is_as_asked(d, state, asked):
            yes.append(d.name)
        by_state.setdefault(STATE_WORDS.get(state, state), []).append(d.name)
    said = STATE_WORDS.get(asked, asked)
    others = {st: ns for st, ns in by_state.items() if not set(ns) <= set(yes)}
    if every and yes and others and said == "on" and not unknown:  # "are the lights on", one on: not "No"
        text = f"Only {_names(yes)} {_are(yes)} on."
    elif every and yes and others:  # "is everything off" with the kitchen light on: no, and which are not
        parts = [f"{_names(ns)} {_are(ns)} {st}" for st, ns in others.items()]
        text = "No, " + "; ".join(parts) + "."
    elif yes and count:
        text = f"{len(yes)} {'is' if len(yes) == 1 else 'are'} {said}: {_names(yes)}."
    elif yes:
        these = f"{_names(yes)} {_are(yes)} {said}."
        text = cap(these) if which else f"Yes, {these}"
    else:
        parts = [f"{_names(ns)} {_are(ns)} {st}" for st, ns in by_state.items()]
        text = (f"None are {said}: " if which else "No, ") + "; ".join(parts)  # several devices here
        text = f"{text}." if parts else ""
    if unknown and (yes or by_state) and len(unknown) > UNKNOWN_NAMED:  # a long list is no answer
        kind = "lights" if {d.type for d in devices} == {"light"} else "devices"  # "how many lights are on"
        text += f" I don't know about {len(unknown)} other {kind} yet."
    elif unknown:
        text += f" I don't know the state of {_names(unknown)} yet."
    return text.strip()


PLAYER_ON = frozenset({"playing", "paused", "idle", "buffering"})  # a player's states while it is on
# at most this many devices of unknown state are named after an answer; more are counted
UNKNOWN_NAMED = 3


def _on_off_state(fields: dict[str, Any]) -> str:
    """The state word reported, else "on"/"off" from a level (a command's expected state after "set
    the fan to low" is {percentage: 33}); "" when neither says it."""
    if reported := str(fields.get("state", "")).lower():
        return reported
    level = fields.get("percentage", fields.get("brightness"))
    if isinstance(level, int | float) and not isinstance(level, bool):
        return "on" if level > 0 else "off"
    position = fields.get("position")  # a cover set to 30% reports no state: open ("in an unknown state")
    if isinstance(position, int | float) and not isinstance(position, bool):
        return "open" if position > 0 else "closed"
    return ""


def _is_as_asked(device: Device, state: str, asked: str) -> bool:
    """Whether `device`, reported `state`, is as `asked`. A player playing or paused is on ("is the
    speaker on" said "No, ... is playing"; "what's on" left out the music)."""
    wanted = _in_device_words(device, asked)
    return state == wanted or (
        wanted == "on" and device.type in ("tv", "media_player") and state in PLAYER_ON
    )


def _in_device_words(device: Device, asked: str) -> str:
    """An asked "on"/"off" as this device says it ("locked" for a lock), "down" of a cover as closed;
    other words as they are."""
    on, off = ON_OFF_STATES.get(device.type, ("on", "off"))
    if device.type == "cover":  # "are the blinds down" said "No, ... are closed"
        return {"on": on, "off": off, "down": "closed", "up": "open"}.get(asked, asked)
    return {"on": on, "off": off}.get(asked, asked)


def _are(names: list[str]) -> str:
    return _be(names[0]) if len(names) == 1 else "are"


def _where_they_are(devices: list[Device], ctx: ContextStore) -> str:
    """ "The floor lamp is in the living room.", room by room."""
    said = []
    for room in dict.fromkeys(d.room for d in devices):
        names = [d.name for d in devices if d.room == room]
        said.append(f"{cap(_names(names))} {_are(names)} in the {_room_name(ctx, room)}.")
    return " ".join(said)


def _be(name: str) -> str:
    last = name.split()[-1] if name.split() else name
    return "are" if last.endswith("s") and not last.endswith("ss") else "is"


def _levels_said(levels: dict[str, dict[str, Any]], devices: list[Device]) -> str:
    """ "the bedroom light to 80%", "the volume of the tv to 55%", "the thermostat to 20.5 degrees"."""
    said = []
    for device in devices:
        for key, value in levels[device.id].items():
            what = f"the volume of the {device.name}" if key == "volume" else f"the {device.name}"
            said.append(
                f"{what} to {value:g} degrees" if key == "target_temperature" else f"{what} to {value:g}%"
            )
    return _and(said)


def _names(names: list[str]) -> str:
    return _and([f"the {n}" for n in names])


def _clean(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _deg(value: Any) -> str:
    return f"{_clean(round(float(value), 1))} degrees"


def no_timer(resolution: Resolution, ctx: ContextStore) -> str:
    """The answer to a request on a timer when none runs; when the request named a device that is on
    ("stop the oven", which the model reads as the oven's timer), how to turn that off instead."""
    interp = resolution.interpretation
    if resolution.values.get("ends_in") is not None:  # "cancel my 7 am alarm"
        return f"There is no alarm set for {_clock(resolution.values['at'])}."
    if resolution.values.get("timer_name") == ALARM or resolution.values.get("timer_kind") == ALARM:
        return "There is no alarm set."
    if resolution.values.get("timer_kind") == "reminder":
        return "You have no reminders."
    if kinds := resolution.values.get("timer_kinds"):
        return f"You have no {' or '.join(f'{k}s' for k in kinds)}."
    text = "There is no timer running."
    _, named = named_devices(interp, ctx.devices())
    if len(named) != 1 or named[0].type not in INTENT_TYPES["HassTurnOff"]:
        return text
    state = ctx.state(named[0].id)
    if state is None or state.state.get("state") != "on":
        return text
    name = normalize(named[0].name)
    return f'{text} To turn off the {name}, say "turn off the {name}".'


def _left(seconds: float) -> str:
    """Time left as said: to the second under an hour, to the minute beyond ("6 hours and 41 minutes",
    not "... and 20 seconds")."""
    return duration_text(round(seconds / 60) * 60 if seconds >= 3600 else round(seconds))


def timer_renamed(timer: RunningTimer) -> str:
    """ "rename the timer to pasta": "OK, that's the pasta timer now, with 9 minutes left." """
    return f"OK, that's the {_which(timer)} now, with {_left(timer.remaining())} left."


def timer_answer(intent: str, values: dict[str, Any], timer: RunningTimer) -> str:
    """The answer to a request on a timer (`ON_A_TIMER`), given the timer meant as it is after the
    change. Dispatch cannot see the timers and answers `no_timer`; the pipeline words it again with
    this when it finds the timer."""
    if intent == "HassCancelAllTimers" and "timer_kinds" in values:  # "cancel all my timers and alarms"
        return f"All {_and([f'{k}s' for k in values['timer_kinds']])} cancelled."
    if intent == "HassCancelAllTimers":
        return f"All {values.get('timer_kind', 'timer')}s cancelled."
    which = _which(timer)
    if intent == "HassCancelTimer" and timer.command:
        return f"OK, I won't {you_form(timer.command)}."
    if intent == "HassCancelTimer" and timer.repeat and timer.name == ALARM:  # says every day went
        return f"Your {alarm_said(timer)} is cancelled."
    if intent == "HassCancelTimer":
        return f"{which.capitalize()}{_again(timer)} cancelled."
    left = _left(timer.remaining())
    if intent == "HassTimerStatus":
        if timer.paused:
            return f"Your {which} is paused with {left} left."
        if timer.name == ALARM:  # a time of day: when it rings, and how long until when asked
            until = f", {left} from now" if values.get("how_long") else ""
            return f"Your alarm is set for {_rings_at(timer)}{_on_a_day(timer)}{_again(timer)}{until}."
        if timer.command and values.get("when_asked"):  # "what time does the coffee maker turn on"
            return f"At {_rings_at(timer)}{_on_a_day(timer)} I'll {you_form(timer.command)}, {left} from now."
        if timer.command:  # "how long until the fan turns off"
            return f"In {left} I'll {you_form(timer.command)}."
        if values.get("when_asked"):  # "what time does my timer go off": the time of day, then how long
            return f"Your {which} goes off at {_rings_at(timer)}, {left} from now."
        return f"{left} left on your {which}."
    if intent == "HassPauseTimer":
        return f"{which.capitalize()} paused."
    if intent == "HassUnpauseTimer":
        return f"{which.capitalize()} resumed."
    amount = duration_text(int(values["seconds"]))
    change = f"Added {amount}." if intent == "HassIncreaseTimer" else f"Took {amount} off."
    if timer.remaining() <= 0:
        return f"{change} Your timer for {duration_text(timer.seconds)} is done."
    return f"{change} {left} left."


def timers_answer(kind: str, timers: list[RunningTimer], on: date | None = None, clock: bool = False) -> str:
    """ "What timers do I have": each of `timers` (all of `kind`, at least one) and what it has left;
    with `on`, those that ring that day ("What alarms do I have tomorrow"); with `clock`, when each
    timer goes off ("what time do my timers go off")."""
    said = []
    for t in timers:
        at = _rings_at(t)
        # "at 7:00 AM tomorrow", "at 6:30 AM on Saturday": which 7 (it said "at 7:00 AM and at 6:30 AM")
        day = "" if on is not None else _on_a_day(t)
        if kind == ALARM:
            said.append(f"at {at}{day}{_again(t)}")
        elif kind == "reminder" and t.repeat and t.repeat.every_s:  # "every hour (next at 4:57 PM)"
            said.append(f"{reminder_of(t.name or '')} {t.repeat.said} (next at {at})")
        elif kind == "reminder":
            said.append(f"{reminder_of(t.name or '')} at {at}{day}{_again(t)}")
        elif t.command and t.repeat:
            said.append(f"to {t.command} {t.repeat.said} (next at {at})")
        elif t.command:
            said.append(f"to {t.command} in {_left(t.remaining())}")
        else:
            which = f"your {t.name} timer" if t.name else f"your timer for {duration_text(t.seconds)}"
            paused = " (paused)" if t.paused else ""
            left = (
                f"{which} at {at}{paused}"
                if clock and not t.paused
                else f"{_left(t.remaining())} left on {which}{paused}"
            )
            said.append(left)
    count = "one" if len(timers) == 1 else str(len(timers))
    listed = said[0] if len(said) == 1 else ", ".join(said[:-1]) + f" and {said[-1]}"
    day = "" if on is None else f" {day_word(on)}"
    return f"You have {count} {kind}{'' if len(timers) == 1 else 's'}{day}: {listed}."  # kind: timer, reminder, alarm


def _which(timer: RunningTimer) -> str:
    """ "alarm", "pasta timer", "reminder to call your mom", "timer": `timer` as an answer names it."""
    if timer.name == ALARM:
        return ALARM
    if timer.reminder and timer.name:
        return f"reminder {reminder_of(timer.name)}"
    return f"{timer.name} timer" if timer.name else "timer"


def _rings_at(timer: RunningTimer) -> str:
    """ "7:00 AM": the time of day `timer` rings, to the nearest minute (an alarm set for 7 has a
    little under its seconds left once set: "6:59 AM" was said)."""
    return _clock((timer.rings_at() + timedelta(seconds=30)).strftime("%H:%M"))


def alarm_said(timer: RunningTimer) -> str:
    """ "7:00 AM alarm on weekdays", "6:30 AM alarm"."""
    return f"{_rings_at(timer)} alarm{_again(timer)}"


def alarm_skipped(skipped: RunningTimer, after: RunningTimer | None, on: date | None = None) -> str:
    """ "skip tomorrow's alarm": `skipped` as it was, on the day `on` (None: its next), and `after`,
    the same alarm as it rings next (None: it did not repeat, and is cancelled)."""
    day = _day_of(skipped) if on is None else day_word(on)
    what = alarm_said(skipped)
    if skipped.kind != ALARM:  # "your reminder to call mom at 10:00 AM"
        what = f"{_which(skipped)} at {_rings_at(skipped)}{_again(skipped)}"
    if after is None:
        return f"Your {what} {day} is cancelled."
    return f"I'll skip your {what} {day}. The next one is {_day_of(after)} at {_rings_at(after)}."


def _on_a_day(timer: RunningTimer) -> str:
    """ " tomorrow", " on Saturday" for a timer that rings on another day and does not repeat."""
    return "" if timer.repeat or _day_of(timer) == "today" else f" {_day_of(timer)}"


def _day_of(timer: RunningTimer) -> str:
    """ "today", "tomorrow", "on Wednesday": the day `timer` rings."""
    return day_word((timer.rings_at() + timedelta(seconds=30)).date())


def day_word(day: date) -> str:
    ahead = (day - datetime.now().date()).days
    return "today" if ahead == 0 else "tomorrow" if ahead == 1 else f"on {day:%A}"


def alarm_set_already(timer: RunningTimer) -> str:
    """ "set an alarm for 7" said again: the alarm (or reminder) that is set (the pipeline sets no
    second one)."""
    when = f"{_rings_at(timer)}{_on_a_day(timer)}{_again(timer)}"
    if timer.reminder and timer.name:
        return f"You already have that reminder: {reminder_of(timer.name)} at {when}."
    return f"You already have an alarm at {when}."


def _again(timer: RunningTimer) -> str:
    """ " on weekdays" for a timer that repeats; nothing for one that does not."""
    return f" {timer.repeat.said}" if timer.repeat else ""


def _timer_set(values: dict[str, Any], now: datetime | None = None) -> str:
    """What is said when a timer is set: a plain one, an alarm, a reminder, a command for later."""
    seconds = int(values.get("seconds", 0))
    what = reminder_of(str(values.get("timer_name", "")))
    if "after_timer" in values:  # the pipeline finds the timer
        which = f"{values['after_timer']} timer".strip()
        return f"When your {which} is done I'll {values['command']}."
    if values.get("at"):
        at = _clock(values["at"])
        # the day it (first) rings when not today: " tomorrow", " on Saturday"
        tomorrow = (
            f" on {values['day']}" if values.get("day") else " tomorrow" if values.get("tomorrow") else ""
        )
        command, sun = values.get("command"), values.get("sun")
        if values.get("repeat"):  # "every weekday at 7", "... every night at 11", "... every day at sunset"
            again, starting = Repeat.from_dict(values["repeat"]).said, f"starting{tomorrow or ' today'}"
            if command and sun:
                return f"{cap(again)} at {sun} I'll {command}, {starting} at {at}."
            if command:
                return f"{cap(again)} at {at} I'll {command}, {starting}."
            if values.get("reminder") and "every_s" in values["repeat"]:  # "every hour"
                return f"OK, I'll remind you {what} {again}, starting at {at}{tomorrow}."
            if values.get("reminder"):
                return f"OK, I'll remind you {what} at {at} {again}, {starting}."
            return f"Alarm {'moved to' if values.get('moved') else 'set for'} {at} {again}, {starting}."
        if command and sun:  # "turn on the porch light at sunset"
            return f"{'Tomorrow at' if tomorrow else 'At'} {sun}, {at}, I'll {command}."
        if command:
            return f"At {at}{tomorrow} I'll {command}."
        if values.get("reminder"):
            return f"OK, I'll remind you {what} at {at}{tomorrow}."
        done = "moved to" if values.get("moved") else "set for"
        if tomorrow:
            return f"Alarm {done} {at}{tomorrow}."
        return f"Alarm {done} {at}, {duration_text(seconds // 60 * 60)} from now."
    if values.get("command"):
        return f"In {duration_text(seconds)} I'll {values['command']}."
    if values.get("reminder"):
        return f"OK, I'll remind you {what} in {duration_text(seconds)}."
    if values.get("timer_name") == ALARM:  # "wake me up in 8 hours": the time it rings too
        rings = (
            "" if now is None or values.get("snoozed") else f"{said_time(now + timedelta(seconds=seconds))}, "
        )
        return f"Alarm set for {rings}{duration_text(seconds)} from now."
    if values.get("timer_name"):  # "pasta timer set": which one it is, for "cancel the pasta timer"
        return f"{str(values['timer_name']).capitalize()} timer set for {duration_text(seconds)}."
    return f"Timer set for {duration_text(seconds)}."


def _sun_said(values: dict[str, Any], home: Home, now: datetime) -> str:
    """ "Sunset is at 4:51 PM.", "Sunrise was at 7:12 AM. Tomorrow it's at 7:13 AM.", "Sunset is in 2
    hours and 5 minutes, at 4:51 PM."; what to add to devices.yaml when the home's place is unknown."""
    if home.latitude is None or home.longitude is None:
        what = "when the sun rises and sets" if values["sun"] == "up" else f"when {values['sun']} is"
        return f"I don't know {what} here: {NO_PLACE}"
    place = (home.latitude, home.longitude)
    if values["sun"] == "up":  # "is the sun up", "is it dark outside"
        return _sun_up(now, place)
    event = cast(Event, values["sun"])
    day = now.date() + timedelta(days=1 if values.get("tomorrow") else 0)
    at = next_sun_time(now, *place, event) if values.get("how_long") else sun_time(day, *place, event)
    if at is None:
        return f"There is no {event} here {'tomorrow' if values.get('tomorrow') else 'today'}."
    clock, name = said_time(at), event.capitalize()
    if values.get("how_long"):
        minutes = max(1, round((at - now).total_seconds() / 60))
        return f"{name} is in {duration_text(minutes * 60)}, at {clock}."
    if values.get("tomorrow"):
        return f"Tomorrow, {event} is at {clock}."
    if at < now:
        after = sun_time(day + timedelta(days=1), *place, event)
        return f"{name} was at {clock}." + (f" Tomorrow it's at {said_time(after)}." if after else "")
    return f"{name} is at {clock}."


def _sun_up(now: datetime, place: tuple[float, float]) -> str:
    """ "The sun is up until 3:52 PM.", "The sun set at 3:52 PM. It rises at 7:52 AM.": whether it is
    up now, and the next change."""
    rise, set_ = sun_time(now.date(), *place, "sunrise"), sun_time(now.date(), *place, "sunset")
    if rise is None or set_ is None:  # polar day or night, or a sunset after midnight
        return "The sun doesn't both rise and set here today."
    if now < rise:
        return f"The sun is down. It rises at {said_time(rise)}."
    if now < set_:
        return f"The sun is up until {said_time(set_)}."
    after = next_sun_time(now, *place, "sunrise")
    return f"The sun set at {said_time(set_)}." + (f" It rises at {said_time(after)}." if after else "")


def _clock(hh_mm: str) -> str:
    """ "22:00" -> "10:00 PM", as said."""
    return said_time(datetime.strptime(hh_mm, "%H:%M"))


def ring_text(timer: RunningTimer) -> str:
    """What is said when `timer` rings (a timer with a command runs the command instead); after a
    restart, one rung late says when it was due ("While I was off, ...")."""
    if timer.was_due is not None:
        due = said_time(datetime.fromtimestamp(timer.was_due))
        return f"While I was off, your {_which(timer)} was due at {due}."
    if timer.name == ALARM:
        return "This is your alarm."
    if timer.reminder and timer.name:
        if timer.name.startswith("about "):  # "remind me about the meeting at 3"
            return f"This is your reminder {reminder_of(timer.name)}."
        return f"It's time to {you_form(timer.name)}."
    if timer.name:
        return f"Your {timer.name} timer is done."
    return f"Your timer for {duration_text(timer.seconds)} is done."


# "remind me to call my sister": said back to the person, "call your sister"
YOU_FORMS = {"my": "your", "me": "you", "i": "you", "myself": "yourself", "mine": "yours", "i'm": "you're"}


def reminder_of(name: str) -> str:
    """ "to call your mom", "about your meeting": what a reminder is for, as said to the person."""
    return you_form(name) if name.startswith("about ") else f"to {you_form(name)}"


def _quoted(said: str) -> str:
    """ "\"I'm leaving\"": words heard, quoted as written ("I don't know what i'm leaving should do")."""
    return '"' + re.sub(r"\bi(?=\b|'[a-z]+\b)", "I", said) + '"'


def you_form(text: str) -> str:
    return " ".join(YOU_FORMS.get(w, w) for w in text.split())
