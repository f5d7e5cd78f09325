"""Dispatch and the convention table: golden MQTT payloads per device of the example home, answers
from live state, and state messages parsed back into normalized fields."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from runtime.config import Config, Satellite
from runtime.context import ContextStore
from runtime.conventions import (
    ConventionError,
    command_payload,
    expected_state,
    parse_command,
    parse_state,
    state_payload,
)
from runtime.dispatch import dispatch
from runtime.events import Action, Interpretation, Resolution, Slot
from runtime.resolve import resolve


def act(ctx: ContextStore, sat: Satellite, intent: str, **slots: str) -> Action:
    interp = Interpretation(intent, 0.9, [Slot(k, v) for k, v in slots.items()])
    return dispatch(resolve(interp, ctx, sat), ctx, now=datetime(2026, 11, 24, 19, 5))


@pytest.fixture
def ctx(config: Config) -> ContextStore:
    return ContextStore(config)


# request -> (topic, payload as JSON or plain text, expect): one or more per device of devices.yaml
GOLDEN: list[tuple[str, dict[str, str], str, Any, dict[str, Any]]] = [
    # generic JSON
    ("HassTurnOn", {"name": "kitchen light"}, "home/kitchen/light/set", {"state": "ON"}, {"state": "on"}),
    ("HassLightSet", {"name": "kitchen light", "brightness": "50"}, "home/kitchen/light/set",
     {"brightness": 50}, {"brightness": 50, "state": "on"}),
    ("HassClimateSetTemperature", {"name": "oven", "temperature": "180"}, "home/kitchen/oven/set",
     {"target_temperature": 180}, {"target_temperature": 180}),
    ("HassTurnOff", {"name": "tv"}, "home/living_room/tv/set", {"state": "OFF"}, {"state": "off"}),
    ("HassSetVolume", {"name": "sonos", "volume_level": "40"}, "home/living_room/speaker/set",
     {"volume": 40}, {"volume": 40}),
    ("HassTurnOff", {"name": "hallway light"}, "home/hallway/light/set", {"state": "OFF"}, {"state": "off"}),
    ("HassTurnOn", {"name": "ceiling fan"}, "home/bedroom/fan/set", {"state": "ON"}, {"state": "on"}),
    ("HassMediaNext", {"name": "bedroom speaker"}, "home/bedroom/speaker/set", {"media_command": "NEXT"}, {}),
    ("HassMediaPause", {"name": "bedroom speaker"}, "home/bedroom/speaker/set", {"state": "PAUSE"},
     {"state": "paused"}),
    ("HassLightSet", {"name": "desk lamp", "brightness": "ten"}, "home/office/light/set", {"brightness": 10},
     {"brightness": 10, "state": "on"}),
    ("HassTurnOn", {"name": "extractor fan"}, "home/bathroom/fan/set", {"state": "ON"}, {"state": "on"}),
    # zigbee2mqtt: brightness 0-254, LOCK/UNLOCK, hex colors
    ("HassTurnOn", {"name": "counter lights"}, "zigbee2mqtt/counter_lights/set", {"state": "ON"}, {"state": "on"}),
    ("HassTurnOn", {"name": "coffee maker"}, "zigbee2mqtt/coffee_maker/set", {"state": "ON"}, {"state": "on"}),
    ("HassLightSet", {"name": "floor lamp", "brightness": "50"}, "zigbee2mqtt/floor_lamp/set",
     {"brightness": 127}, {"brightness": 50, "state": "on"}),
    ("HassLightSet", {"name": "floor lamp", "brightness": "100"}, "zigbee2mqtt/floor_lamp/set",
     {"brightness": 254}, {"brightness": 100, "state": "on"}),
    ("HassTurnOn", {"name": "front door"}, "zigbee2mqtt/front_door_lock/set", {"state": "LOCK"},
     {"state": "locked"}),
    ("HassTurnOff", {"name": "front door"}, "zigbee2mqtt/front_door_lock/set", {"state": "UNLOCK"},
     {"state": "unlocked"}),
    ("HassLightSet", {"name": "bedroom light", "color": "blue"}, "zigbee2mqtt/bedroom_light/set",
     {"color": {"hex": "#0000ff"}}, {"color": "blue"}),
    # Home Assistant MQTT: JSON-schema lights (0-255), plain switches and covers, climate numbers
    ("HassTurnOn", {"name": "living room light"}, "homeassistant/light/living_room_light/set", {"state": "ON"},
     {"state": "on"}),
    ("HassLightSet", {"name": "main light", "brightness": "50"}, "homeassistant/light/living_room_light/set",
     {"state": "ON", "brightness": 128}, {"brightness": 50, "state": "on"}),
    ("HassLightSet", {"name": "main light", "color": "red"}, "homeassistant/light/living_room_light/set",
     {"state": "ON", "color": {"r": 255, "g": 0, "b": 0}}, {"color": "red"}),
    ("HassTurnOn", {"name": "blinds"}, "homeassistant/cover/living_room_blinds/set", "OPEN", {"state": "open"}),
    ("HassTurnOff", {"name": "shades"}, "homeassistant/cover/living_room_blinds/set", "CLOSE",
     {"state": "closed"}),
    ("HassSetPosition", {"name": "blinds", "position": "30"}, "homeassistant/cover/living_room_blinds/position/set",
     "30", {"position": 30}),
    ("HassClimateSetTemperature", {"name": "thermostat", "temperature": "21.5"},
     "homeassistant/climate/thermostat/set", "21.5", {"target_temperature": 21.5}),
    ("HassTurnOff", {"name": "heating"}, "homeassistant/climate/thermostat/mode/set", "off", {"state": "off"}),
    ("HassTurnOn", {"name": "space heater"}, "homeassistant/switch/office_heater/set", "ON", {"state": "on"}),
]  # fmt: skip


@pytest.mark.parametrize(("intent", "slots", "topic", "payload", "expect"), GOLDEN)
def test_golden_payloads(ctx, kitchen, intent, slots, topic, payload, expect) -> None:
    action = act(ctx, kitchen, intent, **slots)
    assert action.kind == "command", action.text
    (command,) = action.commands
    assert command.topic == topic
    got = json.loads(command.payload) if isinstance(payload, dict) else command.payload
    assert got == payload
    assert command.expect == expect


def test_golden_table_covers_every_controllable_device_and_convention(config: Config) -> None:
    ctx = ContextStore(config)
    sat = config.satellite("kitchen-sat")
    commanded = set()
    for intent, slots, *_ in GOLDEN:
        commanded.update(
            resolve(Interpretation(intent, 0.9, [Slot(k, v) for k, v in slots.items()]), ctx, sat).device_ids
        )
    controllable = {d.id for d in config.devices if d.command_topic}
    assert controllable <= commanded


def test_group_command_sends_one_message_per_device_in_its_own_convention(ctx, config) -> None:
    action = act(ctx, config.satellite("living-sat"), "HassLightSet", domain="lights", brightness="50")
    payloads = {c.device_id: (c.topic, json.loads(c.payload)) for c in action.commands}
    assert payloads == {
        "living_room_light": (
            "homeassistant/light/living_room_light/set",
            {"state": "ON", "brightness": 128},
        ),
        "floor_lamp": ("zigbee2mqtt/floor_lamp/set", {"brightness": 127}),
    }
    assert action.text == "Setting the living room light and the floor lamp to 50%."


def test_play_on_screen_and_on_satellite(ctx, config) -> None:
    tv = act(ctx, config.satellite("living-sat"), "HassMediaSearchAndPlay", search_query="the hunger games")
    (c,) = tv.commands
    assert c.topic == "home/living_room/tv/set"
    assert json.loads(c.payload) == {
        "state": "PLAY",
        "media_title": "the hunger games",
        "media_class": "movie",
    }
    assert c.expect == {"state": "playing"}
    own = act(ctx, config.satellite("kitchen-sat"), "HassMediaSearchAndPlay", search_query="the hunger games")
    (c,) = own.commands
    assert c.topic == "ambient/kitchen-sat/play"
    assert json.loads(c.payload) == {"media_title": "the hunger games", "media_class": "audiobook"}


# answers -------------------------------------------------------------------------------------------


def test_temperature_answers_from_live_state(ctx, kitchen) -> None:
    assert (
        act(ctx, kitchen, "HassClimateGetTemperature").text
        == "I don't know the temperature from the thermostat yet."
    )
    ctx.update_state("thermostat", {"temperature": 21, "target_temperature": 22})
    a = act(ctx, kitchen, "HassClimateGetTemperature")
    assert (
        a.kind == "answer"
        and a.text == "It's 21 degrees in the hallway. The thermostat is set to 22 degrees."
    )
    ctx.update_state("oven", {"state": "on", "temperature": 180})
    assert act(ctx, kitchen, "HassClimateGetTemperature").text == "The oven is at 180 degrees."
    ctx.update_state("oven", {"target_temperature": 200})
    assert (
        act(ctx, kitchen, "HassClimateGetTemperature").text
        == "The oven is at 180 degrees, heating to 200 degrees."
    )
    # "what mode is the thermostat in" answered the temperature
    ctx.update_state("thermostat", {"state": "on", "mode": "heat"})
    r = resolve(
        Interpretation("HassClimateGetTemperature", 0.9, [], "what mode is the thermostat in"), ctx, kitchen
    )
    assert dispatch(r, ctx).text == "The thermostat is in heat mode, set to 22 degrees."
    ctx.update_state("thermostat", {"state": "off"})  # the mode heard before is kept, and is not the answer
    assert dispatch(r, ctx).text == "The thermostat is off."
    ctx.update_state("thermostat", {"state": "on", "mode": "heat"})
    # "i want it at 21" just after it ("What do you like?")
    r = resolve(Interpretation("AmbientTeachPreference", 0.9, [], "i want it at 21"), ctx, kitchen)
    assert (r.device_ids, r.values) == (["thermostat"], {"target_temperature": 21})
    # an oven off reports no temperature ("I don't know the oven's temperature yet.")
    ctx.update_state("oven", {"state": "off", "temperature": None, "target_temperature": None})
    assert act(ctx, kitchen, "HassClimateGetTemperature", name="oven").text == "The oven is off."


def test_state_answers(ctx, kitchen) -> None:
    assert act(ctx, kitchen, "HassGetState", name="kitchen light").text == (
        "I don't know the state of the kitchen light yet."
    )
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 40})
    assert act(ctx, kitchen, "HassGetState", name="kitchen light").text == "The kitchen light is on at 40%."
    assert act(ctx, kitchen, "HassGetState", name="kitchen light", state="off").text == (
        "No, the kitchen light is on."
    )
    ctx.update_state("front_door_lock", {"state": "locked"})
    assert act(ctx, kitchen, "HassGetState", name="front door", state="locked").text == (
        "Yes, the front door is locked."
    )
    ctx.update_state("kitchen_counter_light", {"state": "off"})
    assert act(ctx, kitchen, "HassGetState", name="counter lights").text == "The counter lights are off."
    # a cover set to a position reports no state: open, or closed at 0 ("in an unknown state at 30%")
    ctx.update_state("living_room_blinds", {"position": 30})
    assert act(ctx, kitchen, "HassGetState", name="blinds").text == "The living room blinds are open at 30%."
    ctx.update_state("living_room_blinds", {"position": 0})
    assert act(ctx, kitchen, "HassGetState", name="blinds", state="open").text == (
        "No, the living room blinds are closed."
    )
    ctx.set_available("coffee_maker", False)
    assert act(ctx, kitchen, "HassGetState", name="coffee maker").text in (
        "The coffee maker is not responding.",
        "I don't know the state of the coffee maker yet.",
    )


def test_on_or_off_is_read_from_a_level_when_no_state_word_was_reported(ctx, kitchen) -> None:
    # after "set the fan to low" the context knows {percentage: 33}, not the word "on"
    ctx.update_state("bedroom_fan", {"percentage": 33})
    assert act(ctx, kitchen, "HassGetState", name="ceiling fan", state="on").text == (
        "Yes, the ceiling fan is on."
    )
    ctx.update_state("bedroom_fan", {"percentage": 0})
    assert act(ctx, kitchen, "HassGetState", name="ceiling fan").text == "The ceiling fan is off."
    ctx.update_state("tv", {"volume": 30})  # no level that says on or off: not "in an unknown state"
    assert act(ctx, kitchen, "HassGetState", name="tv", state="on").text == (
        "I don't know whether the tv is on yet."
    )


def test_a_player_playing_or_paused_is_on(ctx, living) -> None:
    """ "is the speaker on" said "No, the living room speaker is playing."; "what's on" left the tv and
    the music out."""
    ctx.update_state("living_room_speaker", {"state": "playing"})
    ctx.update_state("tv", {"state": "paused"})
    ctx.update_state("living_room_light", {"state": "off"})
    ctx.update_state("floor_lamp", {"state": "off"})
    assert act(ctx, living, "HassGetState", name="speaker", state="on").text == (
        "Yes, the living room speaker is playing."
    )
    assert act(ctx, living, "HassGetState", name="tv", state="off").text == "No, the tv is paused."
    interp = Interpretation("HassGetState", 0.9, [Slot("state", "on")], "is anything on in here")
    text = dispatch(resolve(interp, ctx, living), ctx).text
    assert text.startswith("Yes, the tv and the living room speaker are on."), text


def test_whats_playing_answers_with_what_plays_here_first(ctx, kitchen, bedroom) -> None:
    def said(sat: Satellite, text: str, **slots: str) -> str:
        interp = Interpretation("HassGetState", 0.9, [Slot(k, v) for k, v in slots.items()], text)
        return dispatch(resolve(interp, ctx, sat), ctx).text

    assert said(kitchen, "what's playing") == "Nothing is playing."
    assert (
        said(kitchen, "what's playing in the bedroom", area="bedroom") == "Nothing is playing in the bedroom."
    )
    ctx.update_state("tv", {"state": "playing", "media_title": "The Hunger Games", "media_class": "movie"})
    assert said(kitchen, "what song is this") == "The tv is playing the movie The Hunger Games."
    ctx.update_state("bedroom_speaker", {"state": "playing", "media_title": "Kind of Blue"})
    assert said(bedroom, "what am i listening to") == "The bedroom speaker is playing Kind of Blue."
    assert said(kitchen, "what's playing") == (  # nothing here: what plays anywhere
        "The tv is playing the movie The Hunger Games. The bedroom speaker is playing Kind of Blue."
    )
    # a named device is a state question as before, not "what plays"
    assert said(kitchen, "is the tv playing", name="tv") == "The tv is playing the movie The Hunger Games."
    # its input or app, as a tv reports it ("The tv is on.")
    ctx.update_state("tv", {"state": "on", "source": "HDMI 2", "media_title": None})
    assert said(kitchen, "what's on tv", name="tv") == "The tv is on, showing HDMI 2."


def test_any_and_which_ask_about_the_home_in_one_answer(ctx, kitchen) -> None:
    def said(text: str, **slots: str) -> str:
        interp = Interpretation("HassGetState", 0.9, [Slot(k, v) for k, v in slots.items()], text)
        return dispatch(resolve(interp, ctx, kitchen), ctx).text

    lights = [d.id for d in ctx.config.devices if d.type == "light"]
    for light in lights:
        ctx.update_state(light, {"state": "off"})
    assert said("are any lights on", domain="lights", state="on") == (
        "No, the kitchen light, the counter lights, the living room light, the floor lamp, the hallway "
        "light, the bedroom light and the desk lamp are off."
    )
    assert said("which lights are on", domain="lights", state="on") == (
        "None are on: the kitchen light, the counter lights, the living room light, the floor lamp, the "
        "hallway light, the bedroom light and the desk lamp are off."
    )
    ctx.update_state("hallway_light", {"state": "on"})
    ctx.update_state("office_light", {"state": "on"})
    assert said("which lights are on", domain="lights", state="on") == (
        "The hallway light and the desk lamp are on."  # not "Yes, ..." to a "which" question
    )
    assert (
        said("what lights are on", domain="lights", state="on")
        == "The hallway light and the desk lamp are on."
    )
    # one door: it answered "Yes, the front door is unlocked." to "which doors are unlocked"
    ctx.update_state("front_door_lock", {"state": "unlocked"})
    assert said("which doors are unlocked", state="unlocked") == "The front door is unlocked."
    assert said("is the front door unlocked", name="front door", state="unlocked") == (
        "Yes, the front door is unlocked."
    )
    # "what's on" / "is anything on in the office" (they asked which device, or said each light's
    # state): the switches there, in one answer
    assert (
        said("what's on")
        == "The hallway light and the desk lamp are on. I don't know about 9 other devices yet."
    )
    assert said("is anything on in the office", area="office").startswith("Yes, the desk lamp is on.")
    # "how many": the home's, counted (it was the kitchen's, with a "Yes")
    assert said("how many lights are on", domain="lights", state="on") == (
        "2 are on: the hallway light and the desk lamp."
    )
    # without "any" / "which", the lights of the satellite's room, as for a command
    assert (
        said("are the lights on", domain="lights", state="on")
        == "No, the kitchen light and the counter lights are off."
    )
    # a kind word the NLU left untagged still names what is asked about
    ctx.update_state("front_door_lock", {"state": "locked"})
    assert said("are any doors unlocked", state="unlocked") == "No, the front door is locked."


def test_weather_is_honest(ctx, kitchen) -> None:
    a = act(ctx, kitchen, "HassGetWeather")
    assert a.kind == "answer" and a.text == "I don't have a weather source configured."
    ctx.update_state("outdoor_temperature", {"temperature": 12.5})
    assert act(ctx, kitchen, "HassGetWeather").text == (
        "I don't have a weather forecast, but it's 12.5 degrees outside."
    )
    # a temperature asked now is answered with no forecast to excuse; a forecast asked still is
    for said, answer in (
        ("how cold is it outside", "It's 12.5 degrees outside."),
        ("what's the temperature outside", "It's 12.5 degrees outside."),
        ("will it be cold tomorrow", "I don't have a weather forecast, but it's 12.5 degrees outside."),
    ):
        r = resolve(Interpretation("HassGetWeather", 0.98, [], said), ctx, kitchen)
        assert dispatch(r, ctx).text == answer, said
    # "is it warmer inside or outside" gave the outside alone; inside is the thermostat's
    ctx.update_state("thermostat", {"temperature": 20.5})
    for said in ("is it warmer inside or outside", "is it colder outside than inside"):
        r = resolve(Interpretation("HassGetWeather", 0.98, [], said), ctx, kitchen)
        assert dispatch(r, ctx).text == "It's 20.5 degrees inside and 12.5 degrees outside: warmer inside."


def test_time_timer_and_no_action_intents(ctx, kitchen) -> None:
    assert act(ctx, kitchen, "HassGetCurrentTime").text == "It's 7:05 PM."
    assert act(ctx, kitchen, "HassStartTimer", minutes="five").text == "Timer set for 5 minutes."
    assert (
        act(ctx, kitchen, "HassStartTimer", hours="1", seconds="1").text
        == "Timer set for 1 hour and 1 second."
    )
    assert act(ctx, kitchen, "HassNevermind") == Action("none")
    assert act(ctx, kitchen, "AmbientStop") == Action("none")  # nothing playing: just stop talking
    teach = act(ctx, kitchen, "AmbientTeachCommand", phrase="movie time", command="turn on the tv")
    assert teach.text == "OK. When you say movie time, I'll turn on the tv."


def test_fan_speed_volume_steps_and_mute(ctx, config, kitchen) -> None:
    bedroom = config.satellite("bedroom-sat")
    fan = act(ctx, bedroom, "HassFanSetSpeed", name="fan", percentage="forty")
    assert [(c.topic, json.loads(c.payload)) for c in fan.commands] == [
        ("home/bedroom/fan/set", {"percentage": 40})
    ]
    ctx.update_state("bedroom_speaker", {"state": "playing", "volume": 35})
    up = act(ctx, bedroom, "HassSetVolumeRelative", volume_step="up")
    assert json.loads(up.commands[0].payload) == {"volume": 45} and up.commands[0].expect == {"volume": 45}
    down = act(ctx, bedroom, "HassSetVolumeRelative", volume_step="down")
    assert json.loads(down.commands[0].payload) == {"volume": 25}
    # a room but no device for fan speed means the room's fan, not its lights
    by_room = act(ctx, kitchen, "HassFanSetSpeed", area="bathroom", percentage="50")
    assert [(c.topic, json.loads(c.payload)) for c in by_room.commands] == [
        ("home/bathroom/fan/set", {"percentage": 50})
    ], by_room
    mute = act(ctx, bedroom, "HassMediaPlayerMute")
    assert (
        json.loads(mute.commands[0].payload) == {"muted": True} and mute.text == "Muting the bedroom speaker."
    )
    # dispatch cannot see the timers (the pipeline words what a cancel did): none runs here
    assert act(ctx, kitchen, "HassCancelAllTimers").text == "There is no timer running."
    assert act(ctx, kitchen, "HassCancelTimer").text == "There is no timer running."
    # "stop the oven" read as the oven's timer: with none running and the oven on, say how to turn
    # it off instead; nothing is done either way
    assert act(ctx, kitchen, "HassCancelTimer", name="oven").text == "There is no timer running."
    ctx.update_state("oven", {"state": "on"})
    stop = act(ctx, kitchen, "HassCancelTimer", name="oven")
    assert stop.commands == [] and stop.text == (
        'There is no timer running. To turn off the oven, say "turn off the oven".'
    )
    assert act(ctx, kitchen, "HassGetCurrentDate").text == "It's Tuesday, November 24."
    at = datetime(2026, 11, 24, 19, 5)
    for said, answer in (("what's the date tomorrow", "Tomorrow is Wednesday, November 25."),
                         ("what day was it yesterday", "Yesterday was Monday, November 23.")):  # fmt: skip
        r = resolve(Interpretation("HassGetCurrentDate", 0.9, [], said), ctx, kitchen)
        assert dispatch(r, ctx, now=at).text == answer


def test_out_of_domain_clarify_and_missing_device(ctx, kitchen) -> None:
    assert act(ctx, kitchen, "OutOfDomain") == Action("none", text="Sorry, I can't help with that.")
    a = act(ctx, kitchen, "HassTurnOn", name="jacuzzi")
    assert a.kind == "clarify" and a.commands == [] and "jacuzzi" in a.text
    gone = Resolution(Interpretation("HassTurnOn", 0.9), ["garage_door"], values={"state": "on"})
    assert dispatch(gone, ctx).kind == "clarify"


# the convention table on its own --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("device_id", "payload", "fields"),
    [
        ("floor_lamp", b'{"state": "ON", "brightness": 254, "linkquality": 90}', {"state": "on", "brightness": 100}),
        ("bedroom_light", b'{"state":"ON","color":{"hex":"#ff0000"}}', {"state": "on", "color": "red"}),
        ("front_door_lock", b'{"state": "LOCK", "lock_state": "locked"}', {"state": "locked"}),
        ("office_temperature", b'{"temperature": 19.5, "humidity": 40}', {"temperature": 19.5, "humidity": 40}),
        ("living_room_light", b'{"state": "ON", "brightness": 255}', {"state": "on", "brightness": 100}),
        ("office_heater", b"OFF", {"state": "off"}),
        ("living_room_blinds", b"closed", {"state": "closed"}),
        ("living_room_blinds", b"40", {"position": 40}),
        ("thermostat", b'{"current_temperature": 20.5, "temperature": 22, "mode": "heat"}',
         {"temperature": 20.5, "target_temperature": 22, "state": "on", "mode": "heat"}),
        ("thermostat", b"cool", {"state": "on", "mode": "cool"}),  # Home Assistant's mode topic
        ("coffee_maker", b'{"state": "ON", "power": 1200.5, "energy": 1.3, "linkquality": 90}',
         {"state": "on", "power": 1200.5, "energy": 1.3}),  # a zigbee2mqtt plug's readings
        ("front_door_lock", b'{"state": "LOCK", "lock_state": "locked", "battery": 12}', {"state": "locked", "battery": 12}),
        ("outdoor_temperature", b"12.5", {"temperature": 12.5}),
        ("kitchen_light", b'{"state": "on", "brightness": 30}', {"state": "on", "brightness": 30}),
        ("living_room_speaker", b'{"state": "playing", "media_title": "Kind of Blue", "volume": 20}',
         {"state": "playing", "media_title": "Kind of Blue", "volume": 20}),
        ("living_room_speaker", b'{"state": "playing", "media_title": "So What", "media_artist": "Miles Davis"}',
         {"state": "playing", "media_title": "So What", "media_artist": "Miles Davis"}),  # "who sings this"
        ("tv", b'{"state": "on", "source": "HDMI 2"}', {"state": "on", "source": "HDMI 2"}),  # it was dropped
    ],
)  # fmt: skip
def test_parse_state(config: Config, device_id: str, payload: bytes, fields: dict[str, Any]) -> None:
    assert parse_state(config.device(device_id), payload) == fields


@pytest.mark.parametrize(
    "payload",
    [b"", b"   ", b"banana", b"\xff\xfe\x00", b"[1, 2]", b'{"linkquality": 3}', b"null", b"[" * 100_000],
)
def test_unreadable_state_is_a_clear_error(config: Config, payload: bytes) -> None:
    with pytest.raises(ConventionError, match="floor_lamp"):
        parse_state(config.device("floor_lamp"), payload)


def test_bad_commands_are_refused(config: Config) -> None:
    with pytest.raises(ConventionError, match="read-only"):
        command_payload(config.device("office_temperature"), {"state": "on"})
    with pytest.raises(ConventionError, match="cannot be set"):
        command_payload(config.device("front_door_lock"), {"state": "open"})
    with pytest.raises(ConventionError, match="color"):
        command_payload(config.device("bedroom_light"), {"color": "plaid"})
    with pytest.raises(ConventionError, match="number"):
        command_payload(config.device("floor_lamp"), {"brightness": "loud"})


SETTABLE: list[dict[str, Any]] = [{"state": "on"}, {"state": "off"}, {"brightness": 37}, {"color": "green"}, {"position": 30},
            {"target_temperature": 21}, {"state": "locked"}, {"state": "closed"}, {"volume": 15},
            {"percentage": 40}, {"muted": True}]  # fmt: skip


def test_every_command_round_trips_through_a_simulated_device(config: Config) -> None:
    """What we send, a device reads back as the same fields; what it reports, we read as expected."""
    checked = 0
    for device in config.devices:
        for fields in SETTABLE:
            try:
                topic, payload = command_payload(device, fields)
            except ConventionError:
                continue
            # a Home Assistant JSON light also carries "state": "ON" with a brightness or color
            assert fields.items() <= parse_command(device, topic, payload.encode()).items(), (
                device.id,
                payload,
            )
            expect = expected_state(device, fields)
            state_topic, report = state_payload(device, expect)
            assert state_topic == device.state_topic
            assert parse_state(device, report.encode()) == expect, (device.id, report)
            checked += 1
    assert checked > 40


def test_dim_and_brighten_step_from_the_lights_brightness(ctx, kitchen) -> None:
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 70})
    dim = act(ctx, kitchen, "AmbientSetBrightnessRelative", name="kitchen light", brightness_step="dim")
    assert [(c.topic, json.loads(c.payload)) for c in dim.commands] == [
        ("home/kitchen/light/set", {"brightness": 50})
    ]
    assert dim.text == "Dimming the kitchen light to 50%."
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 90})
    up = act(ctx, kitchen, "AmbientSetBrightnessRelative", name="kitchen light", brightness_step="brighter")
    assert json.loads(up.commands[0].payload) == {"brightness": 100} and up.text.startswith("Brightening")
    # "it's too bright" means down, "too dark" up
    assert json.loads(act(ctx, kitchen, "AmbientSetBrightnessRelative", name="kitchen light",
                          brightness_step="bright").commands[0].payload) == {"brightness": 70}  # fmt: skip
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 10})
    low = act(ctx, kitchen, "AmbientSetBrightnessRelative", name="kitchen light", brightness_step="down")
    assert json.loads(low.commands[0].payload) == {"brightness": 1}  # dimming never switches it off


def test_with_no_light_named_it_is_the_rooms_dimmable_lights(ctx, config, kitchen) -> None:
    # the kitchen's counter lights cannot dim: "it's too dark in here" brightens the kitchen light only
    ctx.update_state("kitchen_light", {"state": "off"})
    up = act(ctx, kitchen, "AmbientSetBrightnessRelative", brightness_step="dark")
    assert [(c.device_id, json.loads(c.payload)) for c in up.commands] == [
        ("kitchen_light", {"brightness": 20})
    ]
    ctx.update_state("kitchen_light", {"state": "off"})
    down = act(ctx, kitchen, "AmbientSetBrightnessRelative", brightness_step="dim")
    assert down == Action("clarify", text="The kitchen light is off.")
    # after a command, "make it brighter" is the light just commanded
    bedroom = config.satellite("bedroom-sat")
    act(ctx, bedroom, "HassTurnOn", name="office light")
    ctx.update_state("office_light", {"state": "on", "brightness": 40})
    it = act(ctx, bedroom, "AmbientSetBrightnessRelative", brightness_step="brighter")
    assert [(c.device_id, json.loads(c.payload)) for c in it.commands] == [
        ("office_light", {"brightness": 60})
    ]
    cant = act(ctx, kitchen, "AmbientSetBrightnessRelative", name="counter lights", brightness_step="dim")
    assert cant == Action("clarify", text="The counter lights can't be dimmed.")


def test_a_brightness_for_lights_some_of_which_only_switch_says_so(ctx, kitchen) -> None:
    # "turn on the kitchen lights to 70 percent": the counter lights only switch; it set the kitchen
    # light and said nothing of them
    def sent(action: Action) -> list[tuple[str, dict]]:
        return [(c.device_id, json.loads(c.payload)) for c in action.commands]

    ctx.update_state("kitchen_counter_light", {"state": "off"})  # off, they stay off: nothing to say
    off = act(ctx, kitchen, "HassLightSet", area="kitchen", domain="lights", brightness="70")
    assert off.text == "Setting the kitchen light to 70%."
    ctx.update_state("kitchen_counter_light", {"state": "on"})
    on = act(ctx, kitchen, "HassLightSet", area="kitchen", domain="lights", brightness="70")
    assert on.text == "Setting the kitchen light to 70%. The counter lights can't dim."
    assert sent(on) == [("kitchen_light", {"brightness": 70})]
    ctx.update_state("kitchen_counter_light", {"state": "off"})
    interp = Interpretation(
        "HassLightSet", 0.9, [Slot("area", "kitchen"), Slot("domain", "lights"), Slot("brightness", "70")],
        "turn on the kitchen lights to 70 percent",
    )  # fmt: skip
    turned = dispatch(resolve(interp, ctx, kitchen), ctx)
    assert turned.text == "Setting the kitchen light to 70%. The counter lights can't dim; I turned them on."
    assert sent(turned) == [("kitchen_light", {"brightness": 70}), ("kitchen_counter_light", {"state": "ON"})]
    red = act(ctx, kitchen, "HassLightSet", area="kitchen", domain="lights", color="red")  # none can
    assert red.text == "The kitchen light and the counter lights can't change color."  # it said "or"


def test_thanks_is_answered_not_refused(ctx, kitchen) -> None:
    assert act(ctx, kitchen, "AmbientThanks") == Action("none", text="You're welcome.")


def test_a_brightness_said_outright_is_set_and_by_is_the_step(ctx, kitchen) -> None:
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 70})

    def dim(text: str) -> Action:
        slots = [Slot("brightness_step", "dim"), Slot("name", "kitchen light")]
        interp = Interpretation("AmbientSetBrightnessRelative", 0.9, slots, text)
        return dispatch(resolve(interp, ctx, kitchen), ctx)

    to = dim("dim the kitchen light to thirty percent")
    assert [json.loads(c.payload) for c in to.commands] == [{"brightness": 30}]
    assert to.text == "Setting the kitchen light to 30%."
    by = dim("dim the kitchen light by 30 percent")
    assert [json.loads(c.payload) for c in by.commands] == [{"brightness": 40}] and by.text.startswith(
        "Dimming"
    )


def test_undo_reverses_the_satellites_last_change_field_by_field(ctx, kitchen, living) -> None:
    def act_on(text: str, sat: Satellite, intent: str = "AmbientNegativeFeedback", **slots: str) -> Action:
        interp = Interpretation(intent, 0.9, [Slot(k, v) for k, v in slots.items()], text)
        action = dispatch(resolve(interp, ctx, sat), ctx)
        if action.commands:  # as the pipeline does around the bridge
            ctx.set_last_change(sat.id, ctx.change_of(action.commands))
            for c in action.commands:
                ctx.update_state(c.device_id, c.expect)
        return action

    assert act_on("undo", kitchen).text == "There's nothing for me to undo."
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 40})
    act_on("dim the kitchen light to 10", kitchen, "HassLightSet", name="kitchen light", brightness="10")
    undo = act_on("undo that", kitchen)
    assert undo.text == "Undone: the kitchen light is back as before."
    assert ctx.state("kitchen_light").state["brightness"] == 40
    # per satellite: the living room's "undo" does not touch the kitchen's change
    assert act_on("undo", living).text == "There's nothing for me to undo."
    # an on/off whose state before was not known is turned the other way; one that changed nothing stays
    act_on("turn off the lights", kitchen, "HassTurnOff", domain="lights")
    assert [c.device_id for c in act_on("change it back", kitchen, "HassTurnOn").commands] == [
        "kitchen_light",
        "kitchen_counter_light",
    ]
    act_on("set the thermostat to 22", kitchen, "HassClimateSetTemperature", temperature="22")
    assert act_on("put it back", kitchen, "OutOfDomain").text == (
        "I don't know how the thermostat was before, so I can't undo that."
    )


@pytest.mark.parametrize("intent", ["OutOfDomain", "AmbientStop", "HassGetState"])
def test_what_can_you_do_says_what_to_say_and_the_rooms_devices(ctx, kitchen, intent: str) -> None:
    for text in ("what can you do", "help", "what can I say"):
        action = dispatch(resolve(Interpretation(intent, 0.9, [], text), ctx, kitchen), ctx)
        assert action.kind == "answer" and not action.commands
        assert action.text.startswith("You can ask me to turn things on or off")
        assert action.text.endswith(
            "In the kitchen I know the kitchen light, the counter lights, the oven and the coffee maker."
        )
    # help with something else is not a request for help with this assistant
    action = dispatch(
        resolve(Interpretation("OutOfDomain", 0.9, [], "help me find my keys"), ctx, kitchen), ctx
    )
    assert action.kind == "none"


def test_the_setpoint_is_answered_before_any_reading_arrives(ctx, kitchen) -> None:
    ctx.update_state("thermostat", {"state": "heat", "target_temperature": 20})
    interp = Interpretation(
        "HassClimateGetTemperature", 0.9, [Slot("name", "thermostat")], "what's the thermostat set to"
    )
    assert dispatch(resolve(interp, ctx, kitchen), ctx).text == "The thermostat is set to 20 degrees."
    ctx.update_state("thermostat", {"temperature": 19.5})
    assert dispatch(resolve(interp, ctx, kitchen), ctx).text == (
        "It's 19.5 degrees in the hallway. The thermostat is set to 20 degrees."
    )


def test_how_cold_is_it_outside_reads_the_outdoor_sensor(ctx, kitchen) -> None:
    ctx.update_state("outdoor_temperature", {"temperature": 4})
    for slots in ([Slot("name", "outside")], []):
        interp = Interpretation("HassClimateGetTemperature", 0.9, slots, "how cold is it outside")
        assert dispatch(resolve(interp, ctx, kitchen), ctx).text == "It's 4 degrees outside."


def test_an_untagged_oven_in_a_temperature_question_is_the_oven(ctx, kitchen) -> None:
    ctx.update_state("oven", {"state": "off", "temperature": 150, "target_temperature": 200})
    interp = Interpretation("HassClimateGetTemperature", 0.9, [], "is the oven preheated")
    assert (
        dispatch(resolve(interp, ctx, kitchen), ctx).text
        == "The oven is at 150 degrees, heating to 200 degrees."
    )


def test_lock_up_locks_the_home_and_is_the_house_locked_asks_about_its_locks(ctx, kitchen) -> None:
    for said, slots in (("lock up", []), ("lock the house", [Slot("area", "house")])):
        r = resolve(Interpretation("HassTurnOn", 0.9, slots, said), ctx, kitchen)
        assert r.device_ids == ["front_door_lock"] and r.values == {"state": "on"}, said
        assert json.loads(dispatch(r, ctx).commands[0].payload) == {"state": "LOCK"}
    # "close them" after "open the blinds" closes the blinds: closing is not locking up
    resolve(Interpretation("HassTurnOn", 0.9, [Slot("name", "blinds")], "open the blinds"), ctx, kitchen)
    for said in ("close them", "close it", "shut them"):
        r = resolve(Interpretation("HassTurnOff", 0.9, [], said), ctx, kitchen)
        assert (r.device_ids, r.values) == (["living_room_blinds"], {"state": "off"}), said
    ctx.update_state("front_door_lock", {"state": "unlocked"})
    interp = Interpretation(
        "HassGetState", 0.9, [Slot("area", "house"), Slot("state", "locked")], "is the house locked"
    )
    assert dispatch(resolve(interp, ctx, kitchen), ctx).text == "No, the front door is unlocked."
    for said in ("are all the doors locked", "is the door locked", "is everything locked"):
        r = resolve(Interpretation("HassGetState", 0.9, [Slot("state", "locked")], said), ctx, kitchen)
        assert r.device_ids == ["front_door_lock"], said
    # a door this home does not have is not the front door
    interp = Interpretation("HassGetState", 0.9, [Slot("state", "locked")], "is the back door locked")
    assert "back door" in (resolve(interp, ctx, kitchen).clarification or "")


def test_a_state_answer_counts_many_devices_of_unknown_state(ctx, kitchen) -> None:
    """ "is anything on" named every device not reported yet: fifteen names after the answer."""
    ctx.update_state("kitchen_light", {"state": "on"})
    anything = Interpretation("HassGetState", 0.9, [Slot("state", "on")], "is anything on")
    text = dispatch(resolve(anything, ctx, kitchen), ctx).text
    assert text.startswith("Yes, the kitchen light is on.") and text.endswith("other devices yet."), text
    # lights only: "other lights" (it said "5 other devices" to "how many lights are on")
    lights = Interpretation(
        "HassGetState", 0.9, [Slot("domain", "lights"), Slot("state", "on")], "how many lights are on"
    )
    text = dispatch(resolve(lights, ctx, kitchen), ctx).text
    assert text.startswith("1 is on: the kitchen light.") and text.endswith("other lights yet."), text
    text = act(ctx, kitchen, "HassGetState", name="counter lights").text
    assert text == "I don't know the state of the counter lights yet."


def test_an_untaught_greeting_is_answered_with_how_to_teach_it(ctx, kitchen) -> None:
    """ "good night" was "Sorry, I can't help with that."."""
    for said, example in (("good night", "turn off the lights"), ("good morning", "turn on the lights")):
        action = dispatch(resolve(Interpretation("OutOfDomain", 0.9, [], said), ctx, kitchen), ctx)
        assert (action.kind, action.commands) == ("answer", [])
        assert (
            action.text
            == f'{said.capitalize()}! To make "{said}" do something, say: when I say "{said}", {example}.'
        )


def test_are_the_lights_off_is_yes_only_when_all_are(ctx, kitchen) -> None:
    """ "are all the lights off" with the kitchen light on said "Yes, the counter lights are off"."""
    ctx.update_state("kitchen_light", {"state": "on"})
    ctx.update_state("kitchen_counter_light", {"state": "off"})

    def said(text: str) -> str:
        interp = Interpretation(
            "HassGetState", 0.9, [Slot("domain", "lights"), Slot("state", text.split()[-1])], text
        )
        return dispatch(resolve(interp, ctx, kitchen), ctx).text

    assert said("are all the lights off") == "No, the kitchen light is on."
    # "No, the counter lights are off" hid the one that is on
    assert said("are the lights on") == "Only the kitchen light is on."
    assert said("are any lights on").startswith("Yes, the kitchen light is on.")  # the home's
    ctx.update_state("kitchen_light", {"state": "off"})
    assert said("are the lights off") == "Yes, the kitchen light and the counter lights are off."


def test_goodnight_in_one_word_is_the_greeting(ctx, kitchen) -> None:
    goodnight = dispatch(resolve(Interpretation("OutOfDomain", 0.9, [], "goodnight"), ctx, kitchen), ctx)
    assert goodnight.text.startswith('Good night! To make "good night" do something')


def test_show_me_the_lights_that_are_on_lists_them(ctx, kitchen) -> None:
    """ "show me the lights that are on" was answered as a yes/no question about all of them."""
    ctx.update_state("kitchen_light", {"state": "on"})
    ctx.update_state("kitchen_counter_light", {"state": "off"})
    said = "show me the lights that are on"
    interp = Interpretation("HassGetState", 0.9, [Slot("domain", "lights"), Slot("state", "on")], said)
    assert dispatch(resolve(interp, ctx, kitchen), ctx).text == "The kitchen light is on."


def test_a_fan_is_asked_its_speed_and_made_faster_by_name(ctx, config) -> None:
    """ "what speed is the fan on" answered "Yes, the ceiling fan is on.", "what's the fan speed" asked
    for a speed to set, and "make the fan faster" was out of domain."""
    bedroom = config.satellite("bedroom-sat")

    def said(text: str, intent: str = "HassGetState", **slots: str) -> Action:
        interp = Interpretation(intent, 0.9, [Slot(k, v) for k, v in slots.items()], text)
        return dispatch(resolve(interp, ctx, bedroom), ctx)

    ctx.update_state("bedroom_fan", {"state": "on", "percentage": 33})
    assert said("what speed is the fan on", name="fan", state="on").text == "The ceiling fan is at speed 33%."
    assert (
        said("what's the fan speed", "HassFanSetSpeed", name="fan").text == "The ceiling fan is at speed 33%."
    )
    assert said("how fast is the extractor fan").text == "I don't know the speed of the extractor fan yet."
    faster = said("make the fan faster", "OutOfDomain")
    assert [(c.device_id, json.loads(c.payload)) for c in faster.commands] == [
        ("bedroom_fan", {"percentage": 66})
    ]
    ctx.update_state("bedroom_fan", {"state": "off"})
    assert said("how fast is the ceiling fan going").text == "The ceiling fan is off."


def test_what_it_knows_about_a_person_is_said_and_forgotten(ctx, config) -> None:
    """ "what do you know about me" and "what does bedtime do" were out of domain, and "forget my
    preferences" only stopped the learning: what was taught is said back, and forgotten."""
    living = config.satellite("living-sat")

    def said(text: str, intent: str = "OutOfDomain", **slots: str) -> str:
        interp = Interpretation(intent, 0.9, [Slot(k, v) for k, v in slots.items()], text)
        return dispatch(resolve(interp, ctx, living), ctx).text

    assert said("what do you know about me").startswith("I don't know anything about you yet.")
    said("i like jazz", "AmbientTeachPreference", preference="jazz")
    said("i don't like rock music", "AmbientTeachPreference", preference="rock music")
    said(
        "when i say bedtime lock the front door",
        "AmbientTeachCommand",
        phrase="bedtime",
        command="lock the front door",
    )
    assert said("what do you know about me", "AmbientTeachPreference") == (
        "You like jazz. You don't like rock music. You taught me bedtime."
    )
    assert said("what does bedtime do") == "When you say bedtime, I lock the front door."
    # "what music do i like" answered what was playing
    assert (
        said("what music do i like", "HassGetState")
        == said("what kind of music do i like")
        == ("You like jazz. You don't like rock music. You taught me bedtime.")
    )
    assert said("forget my preferences", "AmbientLearnPreferences").startswith(
        "OK, I've forgotten what you like."
    )
    assert said("what are my preferences") == "You taught me bedtime."
    assert ctx.preferences("default").get("learning") is None  # forgetting is not "stop learning"
    said("forget everything you know about me", "AmbientLearnPreferences")
    assert said("what do you know about me").startswith("I don't know anything about you yet.")
    assert said(
        "play some music", "HassMediaSearchAndPlay", search_query="some music"
    )  # no taught likes: no crash


def test_the_music_moved_to_another_room_plays_there_and_pauses_here(ctx, config) -> None:
    """ "move the music to the bedroom" asked about a blind's position; "play it in the kitchen"
    played an audiobook called "it"; "shuffle" (read as stop) paused the music."""
    living = config.satellite("living-sat")
    playing = {"state": "playing", "media_title": "kind of blue", "media_class": "music"}
    ctx.update_state("living_room_speaker", playing)

    def said(text: str, intent: str = "HassSetPosition", **slots: str) -> Action:
        interp = Interpretation(intent, 0.9, [Slot(k, v) for k, v in slots.items()], text)
        return dispatch(resolve(interp, ctx, living), ctx)

    moved = said("move the music to the bedroom", area="bedroom")
    sent = [(c.device_id, json.loads(c.payload)) for c in moved.commands]
    assert sent == [
        ("bedroom_speaker", {"state": "PLAY", "media_title": "kind of blue", "media_class": "music"}),
        ("living_room_speaker", {"state": "PAUSE"}),
    ]
    shuffle = said("shuffle", "AmbientStop")
    assert (shuffle.kind, shuffle.commands) == ("clarify", [])
    shuffle = said("shuffle my music", "HassMediaUnpause")  # "What should I do with the speaker?"
    assert (shuffle.kind, shuffle.text) == ("clarify", "I can't shuffle or repeat yet.")
    ctx.update_state("living_room_speaker", {"state": "paused"})
    ctx.update_state("bedroom_speaker", {"state": "paused"})
    nothing = said("play it in the kitchen", "HassMediaSearchAndPlay", search_query="it", area="kitchen")
    assert (nothing.kind, nothing.text) == ("clarify", "Nothing is playing. What should I play?")


def test_how_many_devices_are_on_counts_them(ctx, kitchen) -> None:
    """ "how many devices are on" asked "Which device do you want to know about?"."""
    for device in ("kitchen_light", "coffee_maker", "floor_lamp"):
        ctx.update_state(device, {"state": "on"})
    said = "how many devices are on"  # as the model reads it: "devices" tagged as a state
    interp = Interpretation(
        "HassGetState", 0.9, [Slot("state", "devices", 2, 3), Slot("state", "on", 4, 5)], said
    )
    text = dispatch(resolve(interp, ctx, kitchen), ctx).text
    assert text.startswith("3 are on: the kitchen light, the coffee maker and the floor lamp."), text


def test_in_here_is_this_room_and_an_untagged_on_is_still_asked(ctx, config) -> None:
    """ "what's on in here" answered for the whole home; "is the light on in here" ("on" untagged by the
    model) said "The living room light is off." with no yes or no."""
    living = config.satellite("living-sat")
    ctx.update_state("kitchen_light", {"state": "on"})
    ctx.update_state("floor_lamp", {"state": "on"})
    ctx.update_state("living_room_light", {"state": "off"})

    def said(text: str, **slots: str) -> str:
        interp = Interpretation("HassGetState", 0.9, [Slot(k, v) for k, v in slots.items()], text)
        return dispatch(resolve(interp, ctx, living), ctx).text

    assert said("what's on in here", state="on").startswith("The floor lamp is on.")
    assert said("is the light on in here", domain="light") == "No, the living room light is off."


def test_how_bright_and_is_it_muted_are_answered_from_state(ctx, living) -> None:
    """ "how bright is the living room light" was read as the temperature ("There's no thermometer in the
    living room"), "is the tv muted" as muting it ("What should I do with the tv?")."""
    ctx.update_state("living_room_light", {"state": "on", "brightness": 60})
    ctx.update_state("floor_lamp", {"state": "off"})
    ctx.update_state("kitchen_light", {"state": "on", "brightness": 80})

    def said(intent: str, text: str) -> Action:
        return dispatch(resolve(Interpretation(intent, 0.9, [], text), ctx, living), ctx)

    assert said("HassClimateGetTemperature", "how bright is the living room light").text == (
        "The living room light is on at 60%."
    )
    # "the lights": this room's
    assert said("HassGetState", "how bright are the lights").text == (
        "The living room light is on at 60%. The floor lamp is off."
    )
    assert said("HassMediaPlayerMute", "is the tv muted").text == "I don't know whether the tv is muted."
    ctx.update_state("tv", {"state": "on", "muted": True})
    action = said("HassMediaPlayerMute", "is the tv muted")
    assert (action.text, action.commands) == ("Yes, the tv is muted.", [])
