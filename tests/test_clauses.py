"""Several commands in one utterance are cut apart; one command with a list of devices is not."""

from __future__ import annotations

import pytest

from runtime.clauses import commands


@pytest.mark.parametrize(
    ("said", "parts"),
    [
        ("lock the front door and turn off the lights", ["lock the front door", "turn off the lights"]),
        (
            "lock the door, and then turn off the lights and play jazz",
            ["lock the door", "turn off the lights", "play jazz"],
        ),
        (
            "set a timer for 5 minutes then turn off the oven",
            ["set a timer for 5 minutes", "turn off the oven"],
        ),
        # typed with commas
        ("turn on the lights, turn off the tv", ["turn on the lights", "turn off the tv"]),
        (
            "lock the door, close the blinds and turn off the lights",
            ["lock the door", "close the blinds", "turn off the lights"],
        ),
        ("well, turn on the light", None),
        ("turn off the kitchen, living room and bedroom lights", None),
        # on (or off) for a while: on now, off when the time is up
        ("turn on the light for 10 minutes", ["turn on the light", "turn off the light in 10 minutes"]),
        ("turn the fan on for an hour", ["turn on the fan", "turn off the fan in an hour"]),
        (
            "run the coffee maker for five minutes",
            ["turn on the coffee maker", "turn off the coffee maker in five minutes"],
        ),
        # one verb, each device its own way (both were turned off)
        (
            "turn the counter lights off and the kitchen light on",
            ["turn the counter lights off", "turn the kitchen light on"],
        ),
        ("Turn the TV off, and the lamp on", ["Turn the TV off", "Turn the lamp on"]),
        ("turn the tv on and the lights on", None),
        (
            "set the bedroom light to 20 and the kitchen light to 80",
            ["set the bedroom light to 20", "set the kitchen light to 80"],
        ),
        ("dim the kitchen light and the bedroom light to 20 percent", None),
        # each light its own color (it did nothing: "The kitchen light can't change color.")
        (
            "turn the living room light red and the kitchen light green",
            ["turn the living room light red", "turn the kitchen light green"],
        ),
        ("turn the lights red and green", None),
        # one verb, each device its own time (one timer of 5 minutes 10 seconds turned off "the light
        # and the tv in 10"); the unit, or am / pm, said once
        (
            "turn off the light in 5 minutes and the tv in 10",
            ["turn off the light in 5 minutes", "turn off the tv in 10 minutes"],
        ),
        (
            "turn the porch light on at 7 pm and the lamp at 8",
            ["turn the porch light on at 7 pm", "turn on the lamp at 8 pm"],
        ),
        (
            "turn off the tv at 11 pm and the lights at 1",
            ["turn off the tv at 11 pm", "turn off the lights at 1 am"],
        ),
        (
            "lock the front door in 5 minutes and then unlock the back door in 10",
            ["lock the front door in 5 minutes", "unlock the back door in 10 minutes"],
        ),
        ("turn off the light in the kitchen and the tv in the living room", None),
        # the same device the other way (it was "turn off on at 7")
        ("turn off the light at 11 and on at 7", ["turn off the light at 11", "turn on the light at 7"]),
        ("turn the lights on at 7 and off at 9", ["turn the lights on at 7", "turn off the lights at 9"]),
        ("turn off the light in 5 and the tv in 10", None),
        (  # every number word (the first list lacked "seventy" and "eighty")
            "turn off the light in seventy five minutes and the tv in eighty",
            ["turn off the light in seventy five minutes", "turn off the tv in eighty minutes"],
        ),
        ("set the lights to 20 and then turn off the tv", ["set the lights to 20", "turn off the tv"]),
        # a door unlocked or blinds opened for a while: locked, closed again when the time is up
        (
            "unlock the front door for 5 minutes",
            ["unlock the front door", "lock the front door in 5 minutes"],
        ),
        ("open the blinds for an hour", ["open the blinds", "close the blinds in an hour"]),
        ("set a timer for 10 minutes", None),
        # two timers said at once (read as one, "5 minutes and 1 second")
        (
            "set two timers, one for 5 minutes and one for 10 minutes",
            ["set a timer for 5 minutes", "set a timer for 10 minutes"],
        ),
        ("set a timer for 5 minutes and another for 10", ["set a timer for 5 minutes", "set a timer for 10"]),
        (
            "set a 10 minute pasta timer and a 5 minute egg timer",  # the egg timer was lost
            ["set a 10 minute pasta timer", "set a 5 minute egg timer"],
        ),
        (
            "set a pasta timer for 10 minutes and an egg timer for 5",
            ["set a pasta timer for 10 minutes", "set an egg timer for 5"],
        ),
        ("set a timer for an hour and a half", None),
        # played, and paused when the time is up (session 38: it played on; a sleep timer, as "stop in an hour")
        ("play jazz for an hour", ["play jazz", "pause the music in an hour"]),
        # one command: a list of devices or rooms, a title with "and", a verb's particle
        ("turn off the kitchen and living room lights", None),
        ("turn on the lights and the tv", None),
        ("play rock and roll", None),
        ("turn the light on and then off", None),
        # a teaching keeps everything it teaches
        ("when I say goodnight I mean lock the door and turn off the lights", None),
        ("", None),
        # a greeting before a command is no phrase to teach (it asked "Should I do it now?")
        ("goodnight turn off everything", ["turn off everything"]),
        ("Good night, turn off the lights and lock the door", ["turn off the lights", "lock the door"]),
        ("good night", None),
        ("good night moon", None),
    ],
)
def test_commands_are_cut_where_a_new_command_starts(said: str, parts: list[str] | None) -> None:
    assert commands(said) == (parts or [said])


@pytest.mark.parametrize(
    ("said", "parts"),
    [
        ("turn on the fan for an hour", ["turn on the fan", "turn off the fan in an hour"]),
        # "keep the oven on for an hour" said "Sorry, I can't help with that."
        ("keep the oven on for an hour", ["turn on the oven", "turn off the oven in an hour"]),
        ("leave the lights on for 10 minutes", ["turn on the lights", "turn off the lights in 10 minutes"]),
        # "set the oven to 180 for 30 minutes" set an oven timer and left the oven as it was
        ("set the oven to 180 for 30 minutes", ["set the oven to 180", "turn off the oven in 30 minutes"]),
        (
            "preheat the oven to 200 degrees for an hour",
            ["set the oven to 200 degrees", "turn off the oven in an hour"],
        ),
        ("set a timer for 30 minutes", ["set a timer for 30 minutes"]),
        # "play rain sounds for 30 minutes" played on: a sleep timer
        ("play rain sounds for 30 minutes", ["play rain sounds", "pause the music in 30 minutes"]),
        ("play music for my wife", ["play music for my wife"]),
        # until a time of day ("until 11 pm" was dropped: the lights stayed on)
        ("leave the lights on until 11 pm", ["turn on the lights", "turn off the lights at 11 pm"]),
        ("unlock the front door until 6", ["unlock the front door", "lock the front door at 6"]),
        ("play jazz until midnight", ["play jazz", "pause the music at midnight"]),
        # a level for a while: set back then, to what it was ("until 10 pm" was dropped)
        ("set the heating to 21 until 10 pm", ["set the heating to 21", "set the heating back at 10 pm"]),
        (
            "turn the heating up to 22 for an hour",
            ["turn the heating up to 22", "set the heating back in an hour"],
        ),
        (
            "dim the lights to 30 percent for half an hour",
            ["dim the lights to 30 percent", "set the lights back in half an hour"],
        ),
        ("set the timer to 5 minutes for 2 hours", ["set the timer to 5 minutes for 2 hours"]),
        # a timer's "for" is its length ("turn on the sleep timer", and off in 45 minutes)
        ("turn on the sleep timer for 45 minutes", ["turn on the sleep timer for 45 minutes"]),
        ("set an alarm to 7 until 8", ["set an alarm to 7 until 8"]),
        # "mute the tv for 5 minutes" muted it for good
        ("mute the tv for 5 minutes", ["mute the tv", "unmute the tv in 5 minutes"]),
        ("pause the tv for 10 minutes", ["pause the tv", "resume the tv in 10 minutes"]),
        ("mute the speaker until 9 pm", ["mute the speaker", "unmute the speaker at 9 pm"]),
    ],
)
def test_for_a_while_is_now_and_undone_when_the_time_is_up(said: str, parts: list[str]) -> None:
    from runtime.clauses import for_a_while

    assert for_a_while(said) == parts


def test_two_repeating_alarms_in_one_sentence_are_two() -> None:
    """ "set an alarm for 7 am every weekday and 9 am on weekends" set only the first."""
    assert commands("set an alarm for 7 am every weekday and 9 am on weekends") == [
        "set an alarm for 7 am every weekday",
        "set an alarm for 9 am on weekends",
    ]
    assert commands("wake me up at 6 on weekdays and at 8 on saturdays") == [
        "wake me up at 6 on weekdays",
        "wake me up at 8 on saturdays",
    ]
    assert commands("set an alarm for 7 am") == ["set an alarm for 7 am"]
