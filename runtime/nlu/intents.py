"""The NLU's vocabulary: intent and slot names other stages code against.

Intent and slot names follow Home Assistant's (`home-assistant-intents`), so its English templates
are our training data and a resolver written for HA's intents reads ours. Our own intents start with
`Ambient`; `OutOfDomain` is the "no intent" class.

Slot values are the words as heard ("kitchen light", "fifty", "lights"); resolution to entities and
numbers happens downstream (runtime/resolve.py). `DOMAIN_WORDS` maps the heard word of a `domain`
slot back to a Home Assistant domain.
"""

from __future__ import annotations

# Home Assistant intents (all English intents of home-assistant-intents 2026.10.27).
HA_INTENTS: tuple[str, ...] = (
    "HassTurnOn",
    "HassTurnOff",
    "HassLightSet",
    "HassGetState",
    "HassClimateGetTemperature",
    "HassClimateSetTemperature",
    "HassClimateSetFanMode",
    "HassFanSetSpeed",
    "HassGetWeather",
    "HassGetCurrentTime",
    "HassGetCurrentDate",
    "HassStartTimer",
    "HassCancelTimer",
    "HassCancelAllTimers",
    "HassIncreaseTimer",
    "HassDecreaseTimer",
    "HassPauseTimer",
    "HassUnpauseTimer",
    "HassTimerStatus",
    "HassMediaPause",
    "HassMediaUnpause",
    "HassMediaNext",
    "HassMediaPrevious",
    "HassMediaPlayerMute",
    "HassMediaPlayerUnmute",
    "HassSetVolume",
    "HassSetVolumeRelative",
    "HassMediaSearchAndPlay",
    "HassSetPosition",
    "HassNevermind",
    "HassRespond",
    "HassBroadcast",
    "HassShoppingListAddItem",
    "HassShoppingListCompleteItem",
    "HassListAddItem",
    "HassListCompleteItem",
    "HassListRemoveItem",
    "HassVacuumStart",
    "HassVacuumReturnToBase",
    "HassVacuumCleanArea",
    "HassLawnMowerStartMowing",
    "HassLawnMowerDock",
)

# HA intents this runtime cannot act on (runtime/resolve.py has no handler: it answers them as out
# of domain). `models.nlu.data.build_dataset` relabels their sentences OutOfDomain by default, so the
# committed model answers them OutOfDomain. Add a handler -> remove the intent here (and retrain).
# The list intents and HassBroadcast stay: the resolver reads them from the words before it looks at
# the model's reading (runtime/lists.py, resolve.BROADCAST), so the model's OutOfDomain is harmless.
UNSUPPORTED_HA_INTENTS: frozenset[str] = frozenset(
    {
        "HassBroadcast",
        "HassClimateSetFanMode",
        "HassRespond",
        "HassShoppingListAddItem",
        "HassShoppingListCompleteItem",
        "HassListAddItem",
        "HassListCompleteItem",
        "HassListRemoveItem",
        "HassVacuumStart",
        "HassVacuumReturnToBase",
        "HassVacuumCleanArea",
        "HassLawnMowerStartMowing",
        "HassLawnMowerDock",
    }
)

# Our own intents (templates in models/nlu/sentences/).
NEGATIVE_FEEDBACK = "AmbientNegativeFeedback"  # "no, that's wrong"
STOP = "AmbientStop"  # "stop", "be quiet": stop talking / stop what you just did
THANKS = "AmbientThanks"  # "thank you": an acknowledgement, answered, never "sorry, I can't help"
# "dim the kitchen light", "make it brighter": HA has no relative brightness intent (only volume's)
BRIGHTNESS_STEP = "AmbientSetBrightnessRelative"  # slot brightness_step, as HassSetVolumeRelative's
TEACH_COMMAND = "AmbientTeachCommand"  # "when I say movie time turn on the tv": slots phrase, command
TEACH_PREFERENCE = "AmbientTeachPreference"  # "I like jazz": slot preference
LEARN_PREFERENCES = "AmbientLearnPreferences"  # "learn my preferences"
OUT_OF_DOMAIN = "OutOfDomain"  # not a request for this assistant

AMBIENT_INTENTS: tuple[str, ...] = (
    NEGATIVE_FEEDBACK,
    STOP,
    THANKS,
    BRIGHTNESS_STEP,
    TEACH_COMMAND,
    TEACH_PREFERENCE,
    LEARN_PREFERENCES,
)

INTENTS: tuple[str, ...] = HA_INTENTS + AMBIENT_INTENTS + (OUT_OF_DOMAIN,)

# Slot names the model can emit. Home Assistant's, plus ours for teaching.
SLOTS: tuple[str, ...] = (
    "name",  # a device (or a timer's name in timer intents, as in HA)
    "area",
    "floor",
    "domain",  # "lights", "fan": the heard word; see DOMAIN_WORDS
    "device_class",  # "blinds", "garage door"
    "state",  # "on", "open", "locked", "home"
    "brightness",
    "color",
    "temperature",
    "position",
    "percentage",  # fan speed
    "fan_mode",
    "volume_level",
    "volume_step",
    "brightness_step",  # AmbientSetBrightnessRelative: the words that say up or down ("dim", "brighter")
    "seconds",
    "minutes",
    "hours",
    "start_seconds",
    "start_minutes",
    "start_hours",
    "conversation_command",  # "{command} in 5 minutes"
    "search_query",
    "media_class",
    "message",
    "item",  # shopping/todo list item
    "phrase",  # AmbientTeachCommand: the trigger phrase
    "command",  # AmbientTeachCommand: what it should do
    "preference",  # AmbientTeachPreference
)

# Heard word of a `domain` slot -> Home Assistant domain.
DOMAIN_WORDS: dict[str, str] = {
    "light": "light",
    "lights": "light",
    "lighting": "light",
    "lamp": "light",
    "lamps": "light",
    "fan": "fan",
    "fans": "fan",
    "switch": "switch",
    "switches": "switch",
    "music": "media_player",
    "media": "media_player",
    "tv": "media_player",
    "speaker": "media_player",
    "speakers": "media_player",
    "lock": "lock",
    "locks": "lock",
    "vacuum": "vacuum",
    "mower": "lawn_mower",
    "thermostat": "climate",
    "heating": "climate",
    "heater": "climate",
    "ac": "climate",
    "temperature": "climate",
    "temp": "climate",
    "timer": "timer",
    "timers": "timer",
}

# Top score below which a caller should treat the request as out of domain (see NluModel).
REJECT_THRESHOLD = 0.5
