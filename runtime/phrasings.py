"""Whole sentences read from their words, whatever the model read them as.

`runtime.resolve.resolve` tries these before the model's intent counts: each is a phrasing the model
reads wrongly today ("make it warmer" as a brightness step, "wake me up at 7" as a teaching). They
stay until the training data teaches the model to read them (models/nlu/sentences/), and each has a
test in tests/test_resolve.py that says what it must do.
"""

from __future__ import annotations

import re
from datetime import date

from runtime.clauses import HOUR_WORDS
from runtime.events import ActionKind
from runtime.holidays import NAMES
from runtime.sun import Event


def said_in(match: re.Match[str], name: str) -> str | None:
    """The group `name` of `match`, or of its alternatives' copies `name2`, `name3`, ... (a pattern's
    alternatives each name the same part so): the one that was said, else None."""
    return next((v for k, v in match.groupdict().items() if v and re.fullmatch(rf"{name}\d*", k)), None)


# "what can you do": what to say, and the devices of this room
HELP = re.compile(
    r"(?:please )?(?:help(?: me)?|what (?:can|do) you do|what are you able to do|what can i (?:say|ask)(?: you)?"
    r"|how (?:do|can) i use you|what do you know|what are your (?:commands|skills))(?: please)?"
)
# "goodbye" was thanked ("You're welcome.")
FAREWELL = re.compile(r"(?:good ?bye|bye(?: bye)?|see you(?: later)?|later)(?: for now)?")
# "what lights can change color", "which lights dim" (it asked what to set)
LIGHTS_ABLE = re.compile(
    r"(?:what|which) (?:lights?|lamps?) (?:can )?(?P<what>change colou?rs?|do colou?rs?|dim|be dimmed|can dim)"
    r"(?: here| in this home| in the house)?"
)
# "can the floor lamp change color", "is the hallway light dimmable" (a light set; its state)
LIGHT_ABLE = re.compile(
    r"(?:can|does) (?:the |my )?(?P<light>.+?) (?P<what>change colou?rs?|do colou?rs?|dim|be dimmed)"
    r"|(?:is|are) (?:the |my )?(?P<light2>.+?) (?P<what2>dimmable|colou?r changing)"
)
# "make the living room light brighter by 20 percent": a step of 20 (it set 20%)
STEP_BY = re.compile(
    r".*\b(?:brighter|dimmer|darker|brighten|dim)\b.* by (?P<amount>\w+(?: \w+)?)(?: percent| %)?"
)
# "what's your name", "who are you" (it said "Sorry")
IDENTITY = re.compile(
    r"(?:what's|what is) your name|who (?:are|r) you|what are you|who (?:made|built|created|programmed|wrote) you"
    # "how old are you", "are you a robot" (they said "Sorry")
    r"|how old are you|are you (?:a |an )?(?:robot|human|real|person|real person|computer|ai|machine)"
)
# "are you listening all the time", "stop listening" (it paused the music): what is heard and kept
PRIVACY = re.compile(
    r"are you (?:always )?(?:listening|recording)(?: to me| to us)?(?: all the time| always| right now)"
    r"|(?:do|are|will) you (?:record|recording|store|save|keep)(?: me| us| everything| what i say| my voice)?"
    r"|stop (?:listening|recording)(?: to me)?(?: please)?|is this (?:being )?(?:recorded|private)"
)
# "what rooms do you know", "where am i" (they asked which device)
ROOMS_ASKED = re.compile(r"(?:what|which) rooms (?:do you know|are there|do i have|have you got)")
WHERE_AM_I = re.compile(
    r"where am i|(?:which|what) room (?:am i|is this|are we) in|(?:which|what) room is this"
)
# "are you there", "can you hear me", "how are you": a check that it listens (they said "Sorry")
HERE = re.compile(
    r"(?:hello,? |hey,? )?(?:are you (?:there|listening|awake|on)|can you hear me|do you hear me|testing)(?: one two)?"
)
# "hello", "hi there" ("Sorry"): a greeting back
HELLO = re.compile(
    r"(?:hello|hi|hey|hiya|howdy|hey there|hi there|hello there)(?: assistant| you)?(?: there)?"
)
# "you're stupid", "useless machine" ("Sorry"): feedback, taken as such
INSULT = re.compile(
    r"(?:you're|you are|that's|that is|that was) (?:so |really |very |such an? |an? )?"
    r"(?:stupid|dumb|useless|idiot|idiotic|terrible|awful|rubbish|hopeless|annoying|bad|wrong again)"
    r"|(?:stupid|dumb|useless|silly) (?:assistant|machine|thing|robot|computer)"
)
HOW_ARE_YOU = re.compile(
    r"(?:hi,? |hello,? |hey,? )?(?:how are you(?: doing| today)?|how's it going|how are things)"
)
# "list my devices", "what can i control": every device, room by room (they were out of domain)
DEVICES_LISTED = re.compile(
    r"(?:please )?(?:list|name|tell me) (?:all )?(?:of )?(?:my|the|your) devices(?: please)?"
    r"|what (?:devices|things) (?:can i control|do (?:i|you) (?:have|know(?: about)?|control))"
    r"|what can i control|(?:which|how many) devices do (?:i|you) (?:have|know(?: about)?|control)"
)
# "what devices are in the bedroom", "what's in the kitchen": that room's devices (they gave states)
ROOM_DEVICES = re.compile(
    r"what (?:devices|things|appliances) (?:are|do i have|do you know) (?:there )?in (?:the )?(?P<room>.+?)"
    r"|what (?:can you control|devices do you (?:know|control))(?: in (?P<room4>here))?"
    r"|(?:list|name) (?:the |all )?(?:devices|things) in (?:the )?(?P<room2>.+?)|what(?:'s| is) in (?:the )?(?P<room3>.+?)"
)
# "where is the floor lamp", "which room is the tv in" (they gave its state)
WHERE_IS = re.compile(
    r"where(?:'s| is| are)(?: the| my)? (?P<device>.+?)(?: located)?"
    r"|(?:which|what) room (?:is|are) (?:the |my )?(?P<device2>.+?) in"
)
# "make it warmer", "it's too hot in here", "i'm cold": the thermostat a step
WARMER_COLDER = re.compile(
    r"(?:(?:please )?(?:can you )?make it )?(?:(?:a )?(?:bit|little) |(?P<degrees>\w+) degrees? )?"
    r"(?:(?P<up>warmer|hotter)|cooler|colder)(?: in here)?(?: please)?"  # "make it two degrees warmer"
    r"|(?:it's|it is|that's|that is) (?:a (?:bit|little) |way |much |really |so )?too (?:(?P<cold>cold|chilly|cool)|hot|warm)"
    r"(?: in here| in the \w+(?: \w+)?)?"
    r"|(?:i'm|i am) (?:a (?:bit|little) |really |so |very )?(?:(?P<chilled>cold|chilly|freezing)|hot|warm|boiling)"
    r"(?: in here)?"
    r"|(?:it's|it is) (?:getting )?(?:a (?:bit|little) |really |so )?(?:(?P<freezing>freezing|cold|chilly)|boiling|hot"
    r"|stuffy|muggy)(?: (?:in here|in this room))?"  # "it's stuffy in here" said "Sorry"
    r"|(?:it's|it is) getting (?:a (?:bit|little) |really |too )?(?:(?P<getting_cold>cold|chilly)|hot|warm)(?: in here)?"
)
# "i can't see", "i can't see a thing in here" ("Sorry"): as "it's too dark", the lights here brighter
CANT_SEE = re.compile(r"(?:i|we) (?:can't|cannot|can not) see(?: anything| a thing)?(?: in here)?")
# "can i get the temperature", "tell me the temperature": a question the model reads as learning preferences
TEMPERATURE_ASKED = re.compile(
    r"(?:(?:can|could|may) (?:i|you) (?:get|have|tell me|give me)|(?:tell|give) me) the temperature(?: please)?"
)
# "set the fan to low", "set it to medium" (just after the fan): some fan levels the model reads as
# out of domain
FAN_LEVEL_SAID = re.compile(
    r"(?:please )?(?:set|turn|put|switch|run)(?: on)? (?:the |my )?(?P<fan>(?:\w+ )*?fans?|it|that)(?: on)?"
    r"(?: in (?:the |my )?(?P<room>\w+(?: \w+)?))?(?: speed)? (?:to|on|at) "
    r"(?:the )?(?P<level>low|medium|high|max|maximum|minimum|lowest|highest|full|full speed|top speed)"
    r"(?: speed| setting)?(?: please)?"
)
# "faster" / "a bit slower" alone, just after the fan: read as out of domain or as "turn on" (the
# text is normalized, so "a" may be cut)
FASTER_SLOWER = re.compile(
    r"(?:(?:please )?make (?:the |my )?(?P<fan>(?:\w+ )*?fans?|it) (?:go |spin )?)?"
    r"(?:(?:a )?(?:bit|little) |even )?(?:faster|slower)(?: please)?"
)
# "how bright is the living room light" (read as the temperature), "is the tv muted" (read as muting
# it, it asked "What should I do with the tv?"): questions about a light's level, a player's mute
LEVEL_ASKED = re.compile(
    r"how (?:bright|dim) (?:is|are) (?:the |my )?(?P<light>.+?)(?: right now| now| at the moment)?"
    r"|(?:is|are) (?:the |my )?(?P<player>.+?) (?:muted|on mute)"
    # "what's the bedroom light at" (read as the bedroom's temperature); a thermostat named is not a light
    r"|(?:what's|whats|what is) (?:the |my )?(?P<light_at>.+?) (?:at|set to)(?: right now| now)?"
    # "what's the brightness" (read as the time), "... in here" ("Which device do you want to know about?")
    r"|(?:what's|whats|what is) the (?P<brightness>brightness)(?: (?:of|on) (?:the |my )?(?P<light_of>.+?))?"
    r"(?: in here| in the (?P<room>\w+(?: \w+)?))?(?: right now| now)?"
)
# "too fast" just after the fan (it said "Sorry"): a speed level down
TOO_FAST = re.compile(
    r"(?:it's |that's |it is |that is )?(?:a (?:bit|little) |way |much )?too (?P<how>fast|slow)(?: now)?"
)
# "speed up the fan", "slow the ceiling fan down": a speed level up or down (read as high, or as off)
FAN_SPED = re.compile(
    r"(?:please )?(?:speed up|slow down) (?:the |my )?(?P<fan>(?:\w+ )*?fans?)(?: a bit| a little)?(?: please)?"
    r"|(?:please )?(?:speed|slow) (?:the |my )?(?P<fan2>(?:\w+ )*?fans?) (?:up|down)(?: a bit| a little)?(?: please)?"
)
# "what speed is the fan on", "how fast is the ceiling fan going", "what's the fan speed": read as
# "is the fan on" (yes), or as setting its speed
FAN_SPEED_ASKED = re.compile(
    r"(?:what speed is|how fast is) (?:the |my )?(?P<fan>(?:\w+ )*?fans?)"
    r"(?: on| at| set to| set at| going| running(?: at)?| spinning)?"
    r"|(?:what is|what's|whats) (?:the |my )?(?:speed of (?:the |my )?(?P<of>(?:\w+ )*?fans?)"
    r"|(?P<fans>(?:\w+ )*?fans?)(?: 's|'s)? speed|(?P<set>(?:\w+ )*?fans?) set (?:to|at))"
)
# "wake me up at 7", "set an alarm for 6 30": an alarm at that time (the model reads a teaching, or a
# timer of 6 minutes)
ALARM_AT = re.compile(
    r"(?:please |can you |could you )?(?:wake me(?: up)? (?:at|by)"
    r"|(?:set |make |create |put in )?(?:an |my |the |a )?alarm (?:for|at)) (?P<time>.+)"
)
# "change my alarm to 7 30", "move my alarm to 8": the alarm moved (read as a blind's position)
# "move my 6 am alarm to 7", "change my alarm from 6 to 7": that one, of several
ALARM_MOVED = re.compile(
    r"(?:please )?(?:change|move|reset|push|make) (?:my |the )?(?:(?P<from>[\w: ]+?) )?alarm"
    r"(?: from (?P<from2>[\w: ]+?))? (?:to|for|until) (?P<time>.+)"
)
# "restart the timer", "start the pasta timer again" (Sorry, or "For how long?"): from its whole length again
TIMER_RESTART = re.compile(
    r"(?:please )?(?:restart|reset)(?: the| my)?(?: (?P<name>[a-z]+))? timer(?: please)?"
    r"|(?:please )?(?:start|set) (?:the|my) (?:(?P<name2>[a-z]+) )?timer (?:again|over)(?: from the (?:start|beginning))?"
    r"(?: please)?"
)
# "set my alarm 10 minutes earlier", "push the alarm back half an hour": the alarm moved by that much
# (it set a new alarm 10 minutes from now). With no amount, "set my alarm earlier", "push my alarm
# back": asked by how much (they said "Sorry", or asked about a device called alarm)
ALARM_SHIFTED = re.compile(
    r"(?:please )?(?:set|move|make|put|change|push|reset)(?: (?P<way3>back|forward))? (?:my |the )?"
    r"(?:(?P<from>[\w: ]+?) )?alarm(?: (?P<way2>back|forward))?"
    r"(?: (?:by )?(?P<amount>(?:a|an|half an|\S+(?: \S+)?) (?:minutes?|hours?)))?"
    r"(?: (?P<way>earlier|later|sooner|back|forward)| a (?:bit|little)(?: (?P<way4>earlier|later))?)?(?: please)?"
)
# "rename the timer to pasta", "call the 10 minute timer laundry" (it asked "By how much?", or "Sorry")
TIMER_RENAMED = re.compile(
    r"(?:please )?(?:rename|call|name|change the name of) (?:the |my |that |this )?(?:(?P<old>[\w ]+?) )?timer"
    r" (?:to |as )?(?:the |a )?(?P<name>[a-z]+(?: [a-z]+)?)(?: timer)?(?: please)?"
)
# just after a timer was set: "call it pasta", "name it the laundry timer"
TIMER_IT_NAMED = re.compile(
    r"(?:please )?(?:call|name|rename) (?:it|that|this)(?: one)? (?:to |as )?(?!a day|a night|quits)(?:the |a )?"
    r"(?P<name>[a-z]+(?: [a-z]+)?)"
    r"(?: timer)?(?: please)?"
)
# "set an alarm", "wake me up in the morning": an alarm with no time (out of domain for the model)
ALARM_UNTIMED = re.compile(
    r"(?:please )?(?:(?:set|make|create|add|put in) (?:an|my|the|a) alarm(?: for)?"
    r"|(?P<wake>wake me(?: up)?(?: (?:in the morning|tomorrow(?: morning)?))?))(?: please)?"
)
# "set an alarm every weekday at 7", "wake me up at 7 every day", "set a daily alarm for 7" (7 minutes)
REPEATING_ALARM = r"(?:daily|everyday|recurring|repeating|weekday|weekend)"
ALARM_REPEATING = re.compile(
    r"(?:please )?(?:(?:set|make|create|add) )?(?:an |a |my |the )?(?:alarm|wake up call)s? .*\b(?:every|each|daily"
    r"|weekdays|weekends|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)\b.*"
    rf"|(?:please )?(?:(?:set|make|create|add) )?(?:an |a |my )?{REPEATING_ALARM} (?:alarm|wake up call) .+"
    r"|wake me(?: up)? .*\b(?:every|each|daily|weekdays|weekends|mondays|tuesdays|wednesdays|thursdays|fridays"
    r"|saturdays|sundays)\b.*"
)
# "cancel my alarm", "turn the alarm off": out of domain for the model; "cancel my weekday alarm": that one
ALARM_OFF = re.compile(
    r"(?:please )?(?:cancel|delete|remove|clear|disable|unset|turn off|switch off|stop)"
    rf"(?: the| my)?(?: (?P<kind>{REPEATING_ALARM}))? alarm(?: please)?"
    r"|(?:please )?(?:turn|switch) (?:the |my )?alarm off(?: please)?"
)
# the days each kind of repeating alarm rings on (None: any)
REPEATING_DAYS: dict[str, list[int] | None] = {
    "daily": list(range(7)), "everyday": list(range(7)), "weekday": list(range(5)), "weekend": [5, 6],
    "recurring": None, "repeating": None,
}  # fmt: skip
# "skip tomorrow's alarm", "no alarm tomorrow", "i don't need an alarm tomorrow": that one, not the
# days after (it was "Sorry", or a plain cancel)
ALARM_SKIP = re.compile(
    r"(?:please )?(?:skip|cancel|turn off|switch off|disable|delete|remove)(?: my| the)?"
    r" (?:(?P<day>tomorrow)(?:'s| s|s)? alarm|(?P<next>next) alarm|alarm (?:for )?(?P<day2>tomorrow)(?: morning)?)"
    r"(?: please)?|(?:i )?(?:don'?t|do not) (?:need|want) (?:an |my |the |any )?alarm (?P<day3>tomorrow)(?: morning)?"
    r"|no alarm (?P<day4>tomorrow)(?: morning)?(?: please)?"
)
# "cancel my 7 am alarm", "delete the alarm for 6 30" (read as a 7-minute timer: "There is no timer running")
ALARM_AT_OFF = re.compile(
    r"(?:please )?(?:cancel|delete|remove|disable|unset|turn off|switch off)(?: the| my)?"
    r"(?: (?P<time>[\w: ]+?) alarm| alarm (?:for|at) (?P<time2>[\w: ]+?))(?: please)?"
)
# "start a stopwatch", "what's the stopwatch at", "stop the stopwatch" (out of domain for the model),
# by what is asked of it (runtime/stopwatch.py), tried in this order
_SW = r"(?:the |my |a )?stopwatch"
STOPWATCH = {
    "restart": re.compile(rf"(?:restart|reset and start) {_SW}|start {_SW} over|start over(?: on)? {_SW}"),
    "resume": re.compile(rf"(?:resume|continue|unpause) {_SW}|start {_SW} again"),
    "start": re.compile(
        r"(?:start|begin|set|run|turn on)(?: a| the| my)?(?: new)? stopwatch|start (?:timing|counting)(?: up)?|time me"
    ),
    "status": re.compile(
        rf"(?:what(?:'s| is)|what does) (?:on )?{_SW}(?: at| say| show(?:ing)?| reading)?|check {_SW}"
        rf"|how long (?:has|is) {_SW}(?: been)?(?: running| going| on)?|how much time (?:is )?on {_SW}|{_SW} (?:status|time)"
    ),
    "stop": re.compile(rf"(?:stop|end|pause|halt|turn off|switch off) {_SW}|stop (?:timing|counting)"),
    "reset": re.compile(rf"(?:reset|clear|cancel|delete|remove) {_SW}"),
}


# "cancel the first one" of two timers with none listed: the first set, when it also rings first
TIMER_ORDINAL = re.compile(
    r"\b(?:cancel|stop|delete|remove|turn off) (?:the|my) (?P<k>first|second|third|fourth|last)"
    r" (?:one|timer|alarm|reminder)\b"
)


# "what timers do i have", then "cancel it", "pause the second one", "cancel both": of those listed
LISTED_CHANGED = re.compile(
    r"(?:no,? |actually,? |ok,? |okay,? )?(?:please )?"
    r"(?:(?P<cancel>cancel|delete|remove|clear|turn off|switch off)|(?P<pause>pause|hold)|(?P<resume>resume|unpause|continue))"
    r"(?: (?P<it>it|that|this|that one|this one|them|those|both))?(?P<what> .+?)?(?: please)?"
)


# just after the stopwatch: "stop", "pause it", "keep going", "how long" are about it (it paused the music)
STOPWATCH_IT = {
    "stop": re.compile(r"(?:stop|pause|end)(?: it| that| timing| counting)?(?: now| please)?"),
    "resume": re.compile(
        r"(?:resume|continue|unpause|keep going|start again|start it again)(?: it| please)?"
    ),
    "restart": re.compile(r"(?:restart|start over)(?: it| please)?"),
    "reset": re.compile(r"(?:reset|clear)(?: it| that)?(?: please)?"),
    "status": re.compile(
        r"how long(?: has it been| is it at| now)?|what(?:'s| is) it at(?: now)?|what(?:'s| is) the time now"
    ),
}


# "what alarms do i have on friday", then "and on saturday": the same list, another day
DAY_FOLLOW_UP = re.compile(
    r"(?:and|what about|how about|and what about)(?: on| for)? (?P<day>today|tonight|tomorrow"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: then)?"
)


# "... tomorrow", "... for monday": the day a list of alarms or reminders is asked for
_DAY_SAID = (
    r"today|tonight|this (?:morning|afternoon|evening)"
    r"|tomorrow(?: morning| afternoon| evening| night)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)
LISTED_DAY = rf"(?: (?:for |on )?(?P<day>{_DAY_SAID}))?"
# "cancel tomorrow's reminders", "delete my alarms for saturday" ("Sorry"): those that ring that day
DAY_TIMERS_OFF = re.compile(
    r"(?:please )?(?:cancel|delete|remove|clear|skip|turn off)(?: all)?(?: of)?(?: my| the)?"
    rf" (?:(?P<day>{_DAY_SAID})(?:'s| s|s)? (?P<kind>reminders?|alarms)"
    rf"|(?P<kind2>reminders|alarms) (?:for |on )?(?P<day2>{_DAY_SAID}))(?: please)?"
)
# "when is my alarm", "is my alarm set", "how much time is left on my alarm" (the model left the
# alarm out: "5 minutes left on your timer")
ALARM_WHEN = re.compile(
    r"(?:(?:when|what time) is (?:my|the) (?:first |next )?alarm(?: set)?(?: for)?|is (?:my|the|an) alarm set"
    r"|do i have an alarm(?: set)?|(?:did you|have you) set (?:my|the|an) alarm"
    # "is my alarm off", "did you cancel my alarm" (a device "alarm" asked about; "Sorry"): whether one is set
    r"|is (?:my|the) alarm (?:on|off|still on|still set|cancelled|canceled)"
    r"|(?:did you|have you) (?:cancel|cancelled|canceled|turn off|turned off|delete|deleted) (?:my|the) alarm"
    r"|how (?:long|much time) (?:until|till|before) (?:my|the) (?:next )?alarm(?: goes off| rings)?"
    r"|how (?:long|much time) is (?:there )?(?:left )?(?:on|until|till|before) (?:my|the) (?:next )?alarm"
    r"|(?:what's|what is|when is) my next alarm"
    r"|(?:when|what time) (?:does|will) (?:my|the) alarm (?:go off|ring|sound))"
    rf"{LISTED_DAY}(?: please)?"
)
# "what timers do i have", "how many reminders are there", "do i have any alarms": each one of that kind
TIMERS_LIST = re.compile(
    r"(?:(?:what|which|how many) (?:timers|reminders|alarms)"
    r"(?: do i have| have i (?:got|set)| are (?:there|running|set|on))?"
    r"|(?:(?:do i have|are there|have i got) )?any (?:timers|reminders|alarms)(?: set| running| on)?"
    r"|(?:is there|do i have|have i got) (?:a|an|any) (?:timer|reminder|alarm)(?: set| running| on| going)?"
    # "is my reminder set" (the thermostat's setpoint was said), "did you set a reminder" ("Sorry")
    r"|is (?:my|the) (?:timer|reminder) (?:set|running|on|going|still on|still set|still running)"
    r"|(?:did you|have you) set (?:a|an|my|the|any) (?:timer|reminder)s?"
    r"|(?:list|tell me|read me|what are) (?:all )?(?:my |the )?(?:timers|reminders|alarms)"
    r"|what(?:'s| is) (?:on )?my (?:reminders|alarms|reminder list)"
    r"|(?:timers|reminders|alarms) (?:do i have|have i (?:got|set))"  # "what" not heard
    r"|(?:when|what time) (?:is|are) my reminders?(?: set)?(?: for)?"  # it was out of domain
    r"|how (?:long|much time) (?:until|till|before|is it until) my (?:next )?reminders?(?: goes off| rings| is)?"
    r"|(?:what's|what is|when is) my next (?:reminder|timer)"  # it said "Sorry"
    # the commands for later, with the timers (they were out of domain)
    r"|what(?:'s| is) (?:scheduled|planned|pending|coming up|on the schedule|set up)(?: for later| for tonight| today)?"
    r"|(?:is )?(?:anything|there anything) (?:scheduled|planned|pending|set up)(?: for later| for tonight| today)?"
    r"|what (?:have you got|do you have|did i) (?:scheduled|planned|set up)(?: for later)?"
    r"|what (?:are you going to|will you) do later)"
    rf"{LISTED_DAY}(?: please)?"
)
# "pause all timers" (read as cancelling them: they were), "unpause all timers" (resumed the music)
ALL_PAUSED = re.compile(
    r"(?:please )?(?:(?P<pause>pause|hold|freeze)|resume|unpause|continue|restart) (?:all|every|both)(?: of)?"
    r"(?: the| my)? (?:timers|reminders)(?: please)?"
)
# "turn off all alarms" (read as switching a device called alarms off)
ALL_OFF = re.compile(
    r"(?:please )?(?:cancel|delete|remove|clear|disable|turn off|switch off|stop) (?:all|every)(?: of)?(?: the| my)?"
    r" (?:alarms|reminders|timers)(?: please)?"
)
# "no, i meant the living room light": the last request was done to the wrong device
MEANT = re.compile(
    r"(?:(?:no|nope|sorry|oops|wrong one|not that one|not the \w+(?: \w+)?),? )*"
    r"(?:i meant|i mean|i wanted|i said)(?: the| my)? (?P<device>.+?)(?: please| instead)?"
)
# "no, the living room light": a correction with no "i meant" (it only said "Sorry about that"); a
# sentence about the device ("no, the lights are still on") is none
MEANT_NO = re.compile(
    r"(?:no|nope|wrong one|not that one),? (?:the|my) (?P<device>(?!.*\b(?:is|are|was|were|still|isn't|aren't)\b)"
    r"(?:\w+ ){0,3}\w+)(?: please| instead)?"
    r"|(?:actually,? )?(?:(?:the|my) )?(?P<device2>(?:\w+ ){0,3}\w+) instead(?: please)?"  # "the kitchen light instead"
)
# "no, the other one": the last request, of the one other device of its kind there
OTHER_ONE = re.compile(
    r"(?:(?:no|nope|wrong one|not that one),? )*(?:i meant )?the other (?:one|light|lamp)(?: please)?"
)
# "good night", "good morning": a greeting, untaught (a taught one is rewritten before this)
GREETING = re.compile(
    r"(?:(?:hey|hi|hello),? )?(?P<greeting>good ?(?:night|morning|evening|afternoon))(?: \w+)?"
)
# "you're awesome", "good job" (it said "Sorry, I can't help with that.")
PRAISE = re.compile(
    r"(?:you're|you are|that's|that is|you're so|you are so) (?:awesome|great|the best|amazing|so helpful|helpful|smart|clever|brilliant|a star)"
    r"|(?:good|great|nice) (?:job|work|girl|boy)|well done|i love you|love you|(?:awesome|perfect|great|nice|brilliant)(?: thanks| thank you)?"
)

# "tell me a joke" and "what's the news" said "Sorry, I can't help with that."
JOKE = re.compile(
    r"(?:please )?(?:(?:can you |could you )?(?:tell|give) me|say|do you know) (?:a |another |any )?(?:good |funny )?jokes?(?: please)?"
    r"|make me laugh|(?:say|tell me) something funny"
)
NEWS = re.compile(
    r"(?:what's|what is) (?:in )?the (?:news|headlines)(?: today)?|(?:read|tell|give) me the (?:news|headlines)(?: please)?"
    r"|(?:what's|what is) new in the world|any news(?: today)?"
)
# "what's on my calendar": said "Sorry, I can't help with that."
CALENDAR = re.compile(
    r"(?:what's|what is|what do i have) (?:on )?(?:my |the )?(?:calendar|schedule|agenda)(?: (?:for )?(?:today|tomorrow))?"
    r"|(?:do i have|have i got) (?:any )?(?:meetings|appointments|events)(?: today| tomorrow)?"
)
# "what should i wear", "do i need a coat": the weather (it said "Sorry")
WEAR = re.compile(
    r"what should i wear(?: today| tonight| tomorrow| outside)?"
    r"|do i need (?:a|my) (?:coat|jacket|sweater|scarf|hat)(?: today| tonight| outside)?"
    # "should i take an umbrella" said "Sorry"
    r"|(?:should|do) i (?:take|bring|need) (?:an?|my) (?:umbrella|coat|jacket|raincoat)(?: today| tonight| with me)?"
)
# "how's the traffic", "what's the score": nothing offline knows them (it said "Sorry")
ONLINE_ONLY = re.compile(
    r"(?:how's|how is|what's|what is) (?:the )?traffic(?: like)?(?: today| now| on my way to work)?"
    r"|(?:what's|what is|what was) the score(?: of the game)?(?: last night)?|who won (?:the game|last night)(?: last night)?"
    r"|(?:what's|what is) the (?:price of|stock price of) .+|search (?:the web|online|google) for .+"
    r"|(?:look|google) (?:it|that) up|(?:who|what) is the (?:president|prime minister) of .+"
)
# "flip a coin", "roll a die": said "Sorry, I can't help with that."
COIN = re.compile(r"(?:please )?(?:flip|toss) a coin|heads or tails")
DIE = re.compile(r"(?:please )?(?:roll|throw) (?:a|the) (?:die|dice)|roll the dice")
JOKES = (
    "Why did the smart bulb break up with the switch? It felt turned off.",
    "I tried to tell the thermostat a joke, but it gave me the cold shoulder.",
    "What does a speaker say on its birthday? Let's turn it up.",
)
# Said to the assistant and answered in words only, whatever the model read: name -> (the sentence,
# the intent it is read as, the answer's kind, its words, one picked by the minute). A "none" answer
# closes the conversation (no follow-up listening), as a thanks does.
ANSWERED: dict[str, tuple[re.Pattern[str], str, ActionKind, tuple[str, ...]]] = {
    "identity": (IDENTITY, "OutOfDomain", "answer",
                 ("I'm this home's voice assistant; I run here, on this device. Ask me what I can do.",)),
    "farewell": (FAREWELL, "AmbientThanks", "none", ("Goodbye!",)),
    "praised": (PRAISE, "AmbientThanks", "none", ("Thank you!",)),
    "joke": (JOKE, "OutOfDomain", "answer", JOKES),
    "here": (HERE, "OutOfDomain", "answer", ("Yes, I'm here.",)),
    "privacy": (PRIVACY, "OutOfDomain", "answer", (
        "I listen for the wake word only, here on this device, and act on what you say after it. That is "
        "kept as text in the turn log and sent to this home's learning service; no audio is kept. To stop "
        "me listening, mute or unplug the microphone.",)),
    "how_are_you": (HOW_ARE_YOU, "OutOfDomain", "answer", ("I'm well, thanks. What can I do for you?",)),
    "hello": (HELLO, "OutOfDomain", "answer", ("Hello! What can I do for you?",)),
    "insult": (INSULT, "AmbientNegativeFeedback", "none", ("Sorry about that. Tell me what I got wrong, or say undo.",)),
    "news": (NEWS, "OutOfDomain", "answer", ("I can't read the news: I run offline, on this device. "
                                             "Say \"play the news\" to play it on a speaker.",)),
    "calendar": (CALENDAR, "OutOfDomain", "answer", ("I can't see your calendar: I run offline, on this device. "
                                                     "I can remind you, though: say \"remind me to ... at ...\".",)),
    "online": (ONLINE_ONLY, "OutOfDomain", "answer", ("I can't look that up: I run offline, on this device.",)),
    "coin": (COIN, "OutOfDomain", "answer", ("It's heads.", "It's tails.")),
    "die": (DIE, "OutOfDomain", "answer", tuple(f"You rolled a {n}." for n in range(1, 7))),
}  # fmt: skip
CHANCE = frozenset({"coin", "die"})  # answered at random, not by the minute
# "i'm going to bed", "i'm home", "start my morning routine": phrases people teach; not taught yet, they
# get how to teach them (they were out of domain, and "start my morning routine" turned learning on)
TEACHABLE = re.compile(
    r"(?P<moment>i'm (?:going to bed|off to bed|going to sleep|home|back|awake|up|leaving|heading out|going out"
    r"|off to work|off|going to watch (?:a movie|tv)))"
    # "make it cozy": a mood nobody taught yet (it was the weather)
    r"|(?P<mood>make it (?:cozy|cosy|romantic|relaxing|comfy)(?: in here)?|set the mood)"
    r"|(?:start|run|do|begin|activate|trigger) (?:my |the )?(?P<routine>.+? (?:routine|scene))"
    # "movie time" said "Sorry" (the grammar's phrases, runtime/asr/grammar.py PHRASES, are heard alone)
    r"|(?:it's |it is )?(?P<time>(?:movie|bed|reading|dinner|party) ?time)"
    # "movie mode", "set the lights to reading mode": a scene nobody taught yet (it said "Sorry")
    r"|(?:(?:set|put|turn|switch) (?:the (?:lights|house|living room|bedroom)|everything|it) (?:to|on|in|into) )?"
    r"(?:(?:the )?(?P<mode>(?:party|movie|reading|night|sleep|relax|relaxing|dinner|romantic|focus|work|gaming"
    r"|away|vacation|guest|cozy|cosy|tv|cinema|study|quiet) mode))"
)
# "stop learning", "don't learn my preferences": learning off, which the model reads as pausing the music
LEARNING_OFF = re.compile(
    r"(?:please )?(?:stop|quit|pause|don't|dont|do not) (?:learning|learn)(?: (?:my|about my|from me|what i like|my preferences"
    r"|my habits)(?: preferences)?)?(?: please)?"
)
# "snooze", "snooze for 5 minutes", "ten more minutes": an alarm again in a while (9 minutes unsaid)
SNOOZE_MINUTES = 9  # "snooze" with no time said: an alarm clock's
SNOOZE = re.compile(
    r"(?:please )?snooze(?: (?:it|that|the alarm|my alarm))?(?: for (?P<minutes>\w+(?: \w+)?) minutes?)?(?: please)?"
    r"|(?:give me )?(?P<more>\w+) more minutes(?: please)?"
)
# just after a reminder rang: "remind me again in 10 minutes", "remind me later", "snooze"
REMIND_AGAIN = re.compile(
    r"(?:ok,? |okay,? )?(?:please )?(?:remind me (?:again|later|again later)|ask me again|tell me again later)"
    r"(?: in (?P<time>.+?))?(?: please)?"
)
# "remind me to call mom at 5 pm", "at 5 remind me to call mom": a reminder at a time of day
REMIND_AT = re.compile(
    r"(?:please |can you |could you )?(?:remind me to|set a reminder to|(?:remind me|set a reminder) (?P<about>about|for))"
    r" (?P<what>(?!(?:tomorrow|tonight|today)\b).+?) (?:at|by) (?P<time>.+)"
    r"|(?:please )?(?:at|by) (?P<time_first>.+?),? remind me to (?P<what_last>.+)"
    # "remind me at 5 pm to call mom" said "Sorry, I can't help with that.", as did "remind me
    # tomorrow at 9 to call the dentist"; "set a reminder for 5 pm to call mom" was out of domain, "set a
    # reminder for tomorrow at 9 to ..." a 9-minute timer
    r"|(?:please )?(?:remind me|set a reminder)(?: for)? (?:(?P<day_first>tomorrow|tonight|today|on \w+day|this (?:morning|afternoon|evening)) )?"
    # the "to" of "quarter to nine" is not the one before the task
    rf"(?:(?:at|by|for) )?(?P<time_between>.+?) to (?P<what_after>(?!(?:\d+|{'|'.join(HOUR_WORDS)})\b).+)"
)
# "remind me to call john" with no time said (out of domain for the model): when? ("at", "in", "by",
# "tomorrow", "tonight" say one)
# "cancel the reminder to call mom", "don't remind me to water the plants" ("Sorry")
REMINDER_OFF = re.compile(
    r"(?:please )?(?:(?:cancel|delete|remove|clear) (?:the |my )?reminder (?P<about>to|about|for) "
    r"|(?:(?:don'?t|do not) remind me|stop reminding me|no more reminders) (?P<about2>to |about )?)"
    r"(?P<what>.+?)(?: please| after all| any ?more)?"
)
# "remind me to take out the trash every tuesday at 7", "every night at 10 remind me to lock the door"
REMINDER_REPEATING = re.compile(
    r"(?:please )?(?:remind me|set (?:up )?an? reminder)\b.*\b(?:every|each|daily|weekly|hourly)\b.*"
    r"|(?:please )?set (?:up )?an? (?:hourly|daily|weekly) reminder .+"
    r"|(?:every|each|daily) .+ remind me to .+"
)
# "remind me to water the plants tomorrow" (a day, no time: "Sorry"): what time that day?
REMIND_ON_A_DAY = re.compile(
    r"(?:please |can you |could you )?(?:remind me to|set a reminder to) (?P<what>.+?)"
    r" (?P<day>tomorrow(?: morning| afternoon| evening| night)?|tonight|(?:this|in the) (?:morning|afternoon|evening)"
    r"|(?:on |this |next )?(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?: please)?"
)
# "remind me tomorrow to call mom" (it said "Sorry"): the day first, then what
REMIND_DAY_FIRST = re.compile(
    r"(?:please |can you |could you )?(?:remind me|set a reminder)"
    r" (?P<day>tomorrow(?: morning| afternoon| evening| night)?|tonight|(?:this|in the) (?:morning|afternoon|evening)"
    r"|(?:on |this |next )?(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
    r" (?P<about>to|about) (?P<what>.+?)(?: please)?"
)
# "remind me at 5 pm", "remind me in 10 minutes", "set a reminder for tomorrow": when, but not what
REMIND_NO_TASK = re.compile(
    r"(?:please |can you |could you )?(?:remind me|set (?:a|an|up a) reminder) (?P<when>.+?)(?: please)?"
)
# "remind me when i get home to call mom": nothing here knows when someone gets home
REMIND_ON_EVENT = re.compile(
    r"(?:please )?remind me (?:when|once|as soon as|if) (?:i|we|you|someone) .+"
    r"|(?:please )?remind me to .+ (?:when|once|as soon as) (?:i|we) (?:get|come|arrive|leave|wake|go) .*"
)
REMIND_UNTIMED = re.compile(
    r"(?:please |can you |could you )?(?:remind me to|set a reminder to|(?:remind me|set a reminder) (?P<about>about|for)) "
    r"(?P<what>(?:(?!\b(?:at|in|by|after|tomorrow|tonight)\b)\S+ ?)+?)(?: please)?"
)
# "i didn't say turn off the tv": feedback on the last answer, which the model reads as a teaching
NOT_SAID = re.compile(r"(?:no,? )?i (?:didn't|did not|never) (?:say|ask (?:you )?(?:to|for)|mean|want)\b")
# "undo", "put it back", "change it back": the last command of this satellite, reversed
UNDO = re.compile(
    r"(?:please )?(?:undo|revert|reverse)(?: (?:that|it|this|the last (?:one|command|change|thing)))?"
    r"(?: please)?|(?:please )?(?:put|change|set|turn) (?:it|that|them|those|everything) back"
    r"(?: (?:please|again|the way it was|how it was|as it was))?|take (?:that|it) back"
)
# "too much", "that's too far" just after a step ("dim it a bit more"): half of it back (it said "You're
# welcome")
TOO_MUCH = re.compile(
    r"(?:no,? |oh,? |oops,? )?(?:(?:that's|that is|that was|it's|it is) )?(?:(?:still|way|a bit|a little|much) )?"
    r"(?:too (?:much|far)|(?:not|less) (?:that|so) much)|(?:you )?(?:went|go|gone|turned it) too far"
)
# "how long has the tv been on", "when did the oven go on": since when it has been so (read as a
# timer's status)
STATES_SINCE = "on|off|running|open|closed|locked|unlocked|playing|paused"
ON_SINCE = re.compile(
    rf"how long (?:has|have|is|are) (?P<device>.+?) (?:been )?(?P<state>{STATES_SINCE})(?: for)?"
    rf"|since when (?:has|have|is|are) (?P<device2>.+?) (?:been )?(?P<state2>{STATES_SINCE})"
    r"|when did (?P<device3>.+?) (?:go|turn|get turned|come|switch|get switched|get) (?P<state3>on|off)"
    r"|when (?:was|were) (?P<device4>.+?) (?:turned|switched) (?P<state4>on|off)"
    r"|when (?:did|was|were) (?P<device5>.+?) (?:get )?(?P<state5>unlock|lock|open|close)(?:ed|d)?"
    # "when did i turn on the tv", "when did someone unlock the door" (read as teaching a command)
    r"|when did (?:i|you|we|someone|somebody|anyone|anybody) (?:last )?(?:turn|switch) (?P<state6>on|off) (?P<device6>.+)"
    r"|when did (?:i|you|we|someone|somebody|anyone|anybody) (?:last )?(?:turn|switch) (?P<device7>.+?) (?P<state7>on|off)"
    r"|when did (?:i|you|we|someone|somebody|anyone|anybody) (?:last )?(?P<state8>unlock|lock|open|close) (?P<device8>.+)"
)
# "that's wrong", "no, not that one" said just after a command: it did the wrong thing, so it is
# taken back ("Sorry about that." left it done)
WRONG = re.compile(
    r"(?:no,? )*(?:(?:oh )?no+|nope|wrong(?: one| light| device)?|(?:that's|that is|that was|thats|this is|it's) "
    r"(?:wrong|not right|incorrect|the wrong (?:one|light|device)|not (?:it|what i (?:said|asked for|asked|meant|wanted)))"
    r"|you got (?:it|that) wrong|not that(?: one)?)"
)
# "turn off the oven when the timer is done": a command for when a running timer rings
_TIMER_DONE = r"(?:is done|is finished|finishes|ends|rings|goes off|runs out|is up|has finished)"
WHEN_TIMER_DONE = re.compile(
    r"(?P<command>.+?),? (?:when|once|as soon as|after) (?:the|my|that) (?:(?P<name>\w+) )?timer"
    rf" {_TIMER_DONE}(?: please)?"
    # said first: "when the timer is done, turn off the oven"
    rf"|(?:when|once|as soon as|after) (?:the|my|that) (?:(?P<name2>\w+) )?timer {_TIMER_DONE},? (?P<command2>.+?)(?: please)?"
)
# "play something else", "another song", "i don't like this song": the next one on what is playing
# (read as playing a title "something", or as a preference with nothing liked)
NEXT_ONE = re.compile(
    r"(?:please )?(?:play|put on) (?:something|anything) (?:else|different)(?: please)?"
    r"|(?:please )?(?:play |put on )?(?:another|a different) (?:one|song|track|tune)(?: please)?"
    r"|(?:i (?:don't|do not|really don't) (?:like|love|want)|i hate|i'm not (?:into|a fan of)) (?:this|that)"
    r"(?: one| song| track| tune| music)?(?: very much| much)?"
)
# "i love this song", "add this to my favorites" (asked "What do you like?", or "Sorry"): a like for what plays
LIKE_THIS = re.compile(
    r"(?:i (?:really )?(?:like|love|enjoy|dig)|i'm (?:loving|enjoying|into)) (?:this|that)"
    r"(?: one| song| track| tune| music)?(?: a lot| very much| so much)?"
    r"|(?:please )?(?:add|save|put) (?:this|that|it)(?: one| song| track)? (?:to|in|on) (?:my|our) (?:favou?rites|likes)"
    r"|(?:please )?(?:like|favou?rite|thumbs up) (?:this|that)(?: one| song| track)?"
)
# "what are you playing": the model reads it as out of domain
WHAT_PLAYS = re.compile(
    r"what (?:are you playing|is (?:this|that) song|are (?:we|you) listening to|am i listening to"
    r"|song is (?:this|that|playing)"
    # session 38: "who sings this" asked about a device called "sings"
    r"|(?:artist|band|singer) is (?:this|that|playing)|is (?:this|that) (?:artist|band|singer))(?: right now| now)?"
    r"|who (?:sings|is singing|'s singing|is (?:this|that) (?:singing|artist|band|singer)|plays|is playing)"
    r"(?: (?:this|that))?(?: song| track)?(?: right now| now)?"
    r"|who(?: is|'s) (?:this|that)"  # with something playing ("Which device do you want to know about?")
)
# "forget bedtime": un-teach a taught phrase (only when one was taught: "forget it" is never mind)
FORGET = re.compile(
    r"(?:please )?(?:forget|unlearn|delete|remove|stop using) (?:about )?(?:the (?:phrase|command|shortcut|routine) )?"
    r"(?:called )?(?P<phrase>.+?)(?: please)?"
)
# "forget it", "forget about it", "nothing": never mind (read as weather, a preference, a state question)
NEVER_MIND = re.compile(
    r"(?:oh |no |ok |okay )?(?:forget (?:it|about it|that)|nothing|that's all|that is all)(?: then| please)?"
)
# "can i have some music", "i'd like some jazz", "i want to hear the beatles": a request to play, which
# the model reads as a preference ("i like jazz" is one)
WANT_TO_HEAR = re.compile(
    r"(?:can i (?:have|get|hear)|could i (?:have|get|hear)|i'd like|i would like|i want|i wanna|i'd love"
    r"|let me hear|let's (?:hear|have))(?P<hear> to (?:hear|listen to))? (?P<what>.+?)(?: please| now)?"
)
# a weekday as said, Monday first (datetime.weekday()'s order): alarms, and the recognizer's <weekday>
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def days_to_weekday(weekday: str, today: date) -> int:
    """Days from `today` to the coming `weekday`: 1 (tomorrow) to 7 (a week from today)."""
    return (WEEKDAYS.index(weekday) - today.weekday() - 1) % 7 + 1


_DAY_NAMES = "|".join(WEEKDAYS)
# what "every" or "each" repeats on: "every day", "each morning", "every monday"
_EACH_DAY = rf"day|morning|afternoon|evening|night|weekday|weekend(?: day)?|{_DAY_NAMES}"
# "every day", "each morning", "daily", "on mondays and fridays": how often an alarm, reminder or
# command for later rings
REPEATED = re.compile(
    rf" ?\b(?:(?:every|each) (?:single )?(?P<each>{_EACH_DAY})|(?:on )?(?:weekdays|weekends|(?:{_DAY_NAMES})s)|daily)"
    rf"(?:,? and (?:{_DAY_NAMES})s?)*\b"
)


def unrepeated(text: str) -> str:
    """`text` without how often it repeats: "turn off the lights every night at 11" -> "turn off the
    lights at 11"."""
    return " ".join(REPEATED.sub(" ", text).split())


def repeated_part_of_day(every: re.Match[str]) -> str:
    """ " in the evening" for "every night", " in the morning" for "each morning": the half of the
    day a repeated time is in ("every night at 11" is 11 pm); nothing for "every day"."""
    each = every["each"]
    if each not in ("morning", "afternoon", "evening", "night"):
        return ""
    return f" in the {'evening' if each == 'night' else each}"


# "every hour", "every 30 minutes": a reminder that repeats within a day
EVERY_WHILE = re.compile(
    r"\b(?:(?:every|each) (?:(?:half an |half |an |one )?hour|minute|(?:\w+ )?(?:minutes|hours))|hourly)\b"
)
# "every evening at 6 turn on the porch light", "each weekday at 7, open the blinds"
EVERY_FIRST = re.compile(
    rf"(?P<every>(?:every|each) (?:{_EACH_DAY})|daily)"
    r",? at (?P<time>[\w: ]+?),? (?P<command>(?:please )?(?:turn|switch|set|start|open|close|lock|unlock|play|dim"
    r"|stop|pause) .+)"
)
# "how many days until christmas" said "Sorry": counted from today's date
HOLIDAY = "|".join(NAMES)
# "how many days until friday" / "until december 25th" / "until the 3rd of january" ("Sorry") too
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_MONTH = "|".join(MONTHS)
DAYS_UNTIL = re.compile(
    rf"how (?:many (?P<unit>days|weeks|sleeps)|long) (?:is it |are there |is there )?(?:until|till|til|to|before)"
    rf" (?:(?:the )?(?P<day>{HOLIDAY})|(?:(?:this|the) |(?P<next>next) )?(?P<weekday>{_DAY_NAMES})"
    rf"|(?:the )?(?P<date>\w+(?: \w+)?) of (?P<month>{_MONTH})|(?P<month2>{_MONTH}) (?:the )?(?P<date2>\w+(?: \w+)?))"
    r"(?: is it| is)?"
)
# "how long until midnight", "how many hours until 6 pm" ("Sorry", or a timer's status): the time left
TIME_UNTIL = re.compile(
    r"how (?:long|much time|many (?:hours|minutes)) (?:is it |is there |is left |do i have |have i got |left )?"
    r"(?:until|till|til|before) (?P<time>[\w: ]+?)(?: today| tonight| tomorrow)?"
)
# "is it the weekend", "is today a weekday" ("Sorry")
WEEKEND_ASKED = re.compile(
    r"is (?:it|today) (?:a |the )?(?P<weekend>weekend|weekday|work day|workday|school day)(?: yet| today)?"
)
# "what day was yesterday" ("Sorry"): yesterday's date
YESTERDAY_ASKED = re.compile(
    r"what (?:day|date) was (?:it )?yesterday|what was (?:yesterday's date|the date yesterday)|what was yesterday"
)
# "what time will it be in 3 hours" ("Sorry"): the clock then
TIME_IN_A_WHILE = re.compile(r"what time (?:will it be|is it going to be|would it be) in (?P<time>.+)")
# "how many days are in february", "is it a leap year" ("Sorry"): the calendar's facts
DAYS_IN_MONTH = re.compile(
    rf"how many days (?:are )?(?:there )?in (?P<month>{_MONTH}|this month|next month)(?: (?P<year>\d{{4}}))?"
)
LEAP_YEAR = re.compile(r"is (?:it|this|this year|(?P<year>\d{4})|next year) a leap year")
# "what time is sunset", "when does the sun come up tomorrow", "how long until dark" (read as the time
# now, a temperature, "Sorry"): the sun's time at the home's place (runtime/sun.py)
SUN_EVENT = r"sunset|sundown|sunrise|sunup|dawn|dusk|dark|nightfall|first light"
SUN_ASKED = re.compile(
    rf"(?:what time|when) (?:is|will be|'s) (?:the )?(?P<event>{SUN_EVENT})(?: (?P<day>today|tonight|tomorrow))?"
    rf"|(?:what time|when)(?:'s| is) (?P<event2>{SUN_EVENT})(?: (?P<day2>today|tonight|tomorrow))?"
    r"|(?:what time|when) (?:does|will) the sun (?P<verb>set|rise|come up|go down)(?: (?P<day3>today|tonight|tomorrow))?"
    r"|(?:what time|when) (?:does|will) it get (?P<light>dark|light)(?: (?P<day4>today|tonight|tomorrow))?"
    rf"|how long (?P<until>until|till|before) (?:the )?(?P<event3>{SUN_EVENT}|the sun (?:sets|rises|goes down|comes up))"
)
# "is the sun up", "is it dark outside" (the weather, "Sorry"): whether it is, and until when
SUN_UP = re.compile(
    r"(?:is the sun (?:up|down|out|still up)|is it (?:still )?(?:light|dark|daytime|night) (?:outside|out)(?: yet| now)?)"
)
# what each way of saying it names
SUN_WORDS: dict[str, Event] = {
    "sunset": "sunset", "sundown": "sunset", "set": "sunset", "go down": "sunset", "sets": "sunset",
    "goes down": "sunset", "sunrise": "sunrise", "sunup": "sunrise", "rise": "sunrise", "come up": "sunrise",
    "rises": "sunrise", "comes up": "sunrise", "first light": "dawn", "light": "dawn", "dawn": "dawn",
    "dusk": "dusk", "dark": "dusk", "nightfall": "dusk",
}  # fmt: skip
# "spell necessary", "how do you spell restaurant" ("Sorry"): one word, letter by letter
SPELL = re.compile(
    r"(?:(?:can you |could you |please )?spell|how (?:do|would|should) (?:you|i) spell)(?: the word)?"
    r" (?P<word>[a-z'-]+)(?: for me| please)?"
    r"|how (?:is|do you write|do i write) (?:the word )?(?P<word2>[a-z'-]+) spelled"
)


def spelled(word: str) -> str:
    """ "Necessary is spelled N, E, C, E, S, S, A, R, Y.": the commas make a speaker pause."""
    letters = ", ".join(c.upper() if c.isalpha() else "apostrophe" if c == "'" else "dash" for c in word)
    return f"{word.capitalize()} is spelled {letters}."


# "what day is christmas", "when is thanksgiving next year": its date (out of domain, or today's date)
HOLIDAY_WHEN = re.compile(
    rf"(?:when|what day|what day of the week|what date|which day) (?:is|will be) (?:the )?(?P<day>{HOLIDAY})(?: on)?"
    r"(?: (?P<year>this|next) year)?"
    rf"|(?:what day|what date|which day) (?:does|will) (?:the )?(?P<day2>{HOLIDAY}) (?:fall on|be|fall)"
    r"(?: (?P<year2>this|next) year)?"
)
# "what day is december 25th", "what day of the week is the 4th of july" ("Sorry"): that date's weekday
DATE_WHEN = re.compile(
    r"(?:what day|what day of the week|which day) (?:is|will be|does|will) "
    rf"(?:(?:the )?(?P<date>\w+(?: \w+)?) of (?P<month>{_MONTH})|(?P<month2>{_MONTH}) (?:the )?(?P<date2>\w+(?: (?!fall|be|on|this)\w+)?))"
    r"(?: fall on| be| fall| on)?(?: this year)?"
)
# "what's the date on friday", "what date is next friday": that weekday's date (it said "Sorry")
DATE_OF_WEEKDAY = re.compile(
    rf"(?:what's|whats|what is) the date (?:on |this |(?P<next>next) |of )?(?P<day>{_DAY_NAMES})"
    rf"|what date is (?:it )?(?:on |this |(?P<next2>next) )?(?P<day2>{_DAY_NAMES})"
)
# "what time is it in london": the time there (out of domain; the time here would be a wrong answer)
TIME_IN = re.compile(
    r"(?:what time is it|what's the time|whats the time|what is the time|what time|tell me the time|the time|time)"
    r" (?:right now |now )?in (?P<place>.+?)(?: right now| now)?"
)
# "what's the weather in paris": not here (it gave the temperature outside here)
WEATHER_IN = re.compile(
    r"(?:what's|whats|what is|how's|how is|what will|tell me) the (?:weather|forecast|temperature)(?: like| be like)? in (?P<place>.+?)"
    r"(?: today| tomorrow| right now| now| this week| this weekend)?"
    r"|is it (?:raining|snowing|sunny|cold|hot|warm) in (?P<place2>.+?)(?: today| right now| now)?"
)
# "how long until the oven is ready": its temperature against its setpoint (out of domain for the model)
OVEN_READY = re.compile(
    r"(?:how long (?:until|till|before)|when will) the oven (?:be |is )?(?:ready|preheated|hot|done preheating)"
    r"|is the oven (?:ready|preheated|hot)(?: yet)?"
)
# "is the coffee ready" (it said "Sorry"): nothing reports the coffee; the coffee maker's state and for how long
COFFEE_READY = re.compile(
    r"is (?:the |my )?coffee (?:ready|done|made|on)(?: yet)?|how long (?:until|till) (?:the |my )?coffee is (?:ready|done)"
)
# "what do you know about me", "what are my preferences": what this person taught (read as teaching
# or out of domain)
PREFERENCES_ASKED = re.compile(
    r"(?:what do you know about me|what (?:are|were) my preferences|what have you learn(?:ed|t)(?: about me)?"
    r"|what do i like|what (?:do|did) you remember(?: about me)?|what have i taught you"
    r"|what (?:kind of )?(?:music|songs|genres?) do i (?:like|love)|do you know what (?:music )?i like)(?: please)?"
)
# "speak slower", "can you talk faster", "speak normally" (read as "stop"): how fast responses are said
SPEECH_SPEED = re.compile(
    r"(?:please )?(?:can you |could you )?(?:speak|talk)(?: a (?:bit|little)| much)?"
    r" (?:(?P<slower>slower|more slowly|slowly)|(?P<faster>faster|more quickly|quicker|quickly)"
    r"|(?P<normal>normally|at (?:a )?normal speed|at (?:the )?(?:normal|usual|regular) speed))(?: please)?"
)
# "speak up", "talk more quietly", "i can't hear you": how loud answers are spoken ("speak up" paused the
# music; "talk louder" turned the music up)
SPEECH_LOUDNESS = re.compile(
    r"(?:please )?(?:can you |could you )?(?:(?:speak|talk)(?: a (?:bit|little)| much)? (?:(?P<up>up|louder|more loudly)"
    r"|(?P<down>quieter|more quietly|softer|more softly|softly|quietly|lower))|(?P<up2>i can't hear you|i cannot hear you"
    r"|you're too quiet|you are too quiet)|(?P<down2>lower your voice|you're too loud|you are too loud))(?: please)?"
)
# "call me sam", "my name is sam" ("Sorry"): what to call this person; not "call me back", "call me in
# ten minutes" nor "call me an uber"
NAME_TOLD = re.compile(
    r"(?:please )?(?:call me|(?:my )?name is|(?:my )?name's|i'm called|i am called|you can call me)"  # "my" normalized away
    r" (?P<name>(?!(?:a|an|the|back|in|at|on|when|later|tomorrow|tonight|if|after|before|now|maybe|please)\b)"
    r"[a-z][a-z'-]*(?: (?!please\b)[a-z][a-z'-]*)?)(?: please| from now on)?"
)
# "what's my name", "who am i" ("Sorry"); "forget my name"
NAME_ASKED = re.compile(
    r"(?:what's|what is|whats) my name|who am i|do you know (?:my name|who i am)|say my name|what do you call me"
)
NAME_FORGOTTEN = re.compile(
    r"(?:please )?(?:forget|delete|clear) my name(?: please)?|(?:don't|do not|stop) call(?:ing)? me (?:that|by my name)"
)
# "forget my preferences" (read as "stop learning"), "forget everything you know about me"
PREFERENCES_FORGOTTEN = re.compile(
    r"(?:please )?(?:forget|delete|clear|erase|reset) (?:all )?(?P<all>everything (?:you know |you learned |you've learned )?about me"
    r"|what you know about me|my preferences|what i like)(?: please)?"
)
# "forget that i like jazz": that like forgotten (it was learned again: "OK, I'll remember: jazz.");
# "i don't like jazz anymore" is a dislike (_teach_preference)
LIKE_FORGOTTEN = re.compile(
    r"(?:please )?(?:forget|unlearn) (?:that )?i (?:like|love|prefer|enjoy|(?P<dis>hate|dislike|don't like)) "
    r"(?P<what>.+?)(?: please)?"
)
# "what does bedtime do", "what happens when i say movie time": a taught phrase said back
TAUGHT_ASKED = re.compile(r"what does (?P<phrase>.+?) do|what happens when i say (?P<said>.+?)")
# "move the music to the bedroom", "play it in the kitchen": what plays here, played there (read as a
# title "it", or a blind's position)
MEDIA_MOVED = re.compile(
    r"(?:please )?(?:(?:move|transfer|send|switch|take|put|continue) (?:the |this |my )?"
    r"(?:music|song|audio|audiobook|podcast|it|this|that)"
    # "play music in the bedroom" is music there, not what plays elsewhere ("I don't know what the
    # living room speaker is playing."); "play the music in the bedroom" moves it
    r"|play (?:(?:the |this |my )(?:music|song|audio|audiobook|podcast)|it|this|that))"
    r" (?:to|in|into|on|over to) (?:the )?(?P<room>.+?)(?: please)?"
)
# "play it everywhere": what plays here, on every speaker (it turned the speakers off)
MEDIA_EVERYWHERE = re.compile(
    r"(?:please )?(?:play|put|move|send) (?:the |this |my )?(?:music|song|audio|it|this|that) (?:on )?"
    r"(?:everywhere|in every room|in all (?:the )?rooms|all over the house|throughout the house)(?: please)?"
)
# "set the thermostat to eco", "turn the heating to auto mode": a mode, which nothing here can send yet
# (it said "Sorry")
CLIMATE_MODE = re.compile(
    r"(?:please )?(?:set|turn|put|switch|change) (?:the )?(?:thermostat|heating|heat|heater|ac|air conditioning)"
    r" (?:to|on|in|into) (?:the )?(?:eco|auto|automatic|away|cool|cooling|fan|dry|holiday|boost|comfort)"
    r"(?: mode)?(?: please)?"
)
# "what mode is the thermostat in" (read as its temperature)
MODE_ASKED = re.compile(
    r"(?:what|which) mode is (?:the |my )?(?:thermostat|heating|heat|ac|air conditioning)(?: in| on| set to)?"
    r"|(?:what's|what is) the (?:thermostat|heating)(?:'s)? mode"
)
# "i want it at 22", "i'd like it at 50 percent": the level of what was just commanded ("What do you like?")
WANT_IT_AT = re.compile(
    r"i (?:want|need|would like|'d like) (?:it|that) (?:at|to be(?: at)?|on) (?P<value>\w+(?: \w+)?)"
    r"(?: degrees| percent)?(?: please)?"
)
# "stop the music everywhere": every player playing, paused as "stop the music" pauses it here (read as
# turning the speakers off)
STOP_EVERYWHERE = re.compile(
    r"(?:please )?(?:stop|pause) (?:(?:all )?(?:the )?(?:music|audio|sound|songs?)(?: playing)? )?(?:everywhere|in every room"
    r"|in all (?:the )?rooms|all over the house|throughout the house|in the whole house)(?: please)?"
)
# "stop in 30 minutes", "stop the music in an hour": a sleep timer (read as cancelling a timer)
STOP_LATER = re.compile(
    r"(?:please )?(?:stop|pause)(?: (?:the )?(?:music|playing|song|audio))? "
    r"(?:in|after) (?P<time>(?:a|an|one|half|\d+|[a-z]+)(?: [a-z\d]+)*)"
)
# "sleep timer 20 minutes", "set a sleep timer for an hour", "sleep timer": the music stopped then (read
# as resuming or pausing a timer, it said "Sorry")
SLEEP_TIMER = re.compile(
    r"(?:please )?(?:(?:set|start|put on|turn on|give me)(?: up)? )?(?:a |the |my )?sleep timer"
    r"(?: (?:for|of|in|to) | )?(?P<time>(?:a|an|one|half|\d+|[a-z]+)(?: [a-z\d]+)*?)?(?: please)?"
)
# "how windy is it", "what's the high today", "should i wear a coat": the weather (read as the thermostat's
# setpoint, as the date, or "Sorry")
WEATHER_ASKED = re.compile(
    r"(?:how windy is it|is it (?:very |too )?windy|what's the wind(?: like| speed)?|how strong is the wind"
    r"|what(?:'s| is| will be) the (?:high|low|highest|lowest|top|high temperature|low temperature|temperature high)"
    r"|(?:should|do|will) i (?:wear|need|bring|take) (?:a |my |an )?(?:coat|jacket|sweater|jumper|scarf|gloves|hat"
    r"|sunscreen|sun cream|sunglasses|boots|raincoat|warm clothes)"
    r"|is it (?:a )?(?:nice|good|bad|lovely) (?:day|weather)(?: (?:for|to) .+?)?)"
    r"(?: (?:outside|out|today|tonight|tomorrow|now|right now|this (?:morning|afternoon|evening)))*(?: please)?"
)
# "what's the humidity", "how humid is it in the bathroom" (out of domain for the model)
HUMIDITY_ASKED = re.compile(
    r"(?:what(?:'s| is) the humidity|how humid is it|is it humid)(?: (?:in|like in) (?:the )?(?P<room>.+?)| outside| in here)?"
    r"(?: (?:right now|now|today))?"
)
# "how much power is the tv using", "what's the co2 in the office": a plug's or a sensor's reading
# (it asked "Which device do you want to know about?", or said "Sorry")
READING_ASKED = re.compile(
    r"(?:how much (?P<what2>power|energy|electricity) (?:am i|are we|is the house|is the home) (?:using|consuming)"
    r"|how much (?P<what>power|energy|electricity) (?:is|are) (?:the |my )?(?P<device>.+?) (?:using|drawing|consuming|pulling)"
    r"|(?:what's|what is) the (?P<what3>power|energy|electricity|co2|carbon dioxide|pm 2\.5|pm25|air quality|voc|battery)"
    r"(?: (?:use|usage|consumption|level))?(?: (?:of|on|for) (?:the |my )?(?P<device2>.+?)| in (?:the )?(?P<room>.+?))?"
    # "how much battery does the front door lock have" (the lock's state)
    r"|how much (?P<what4>battery) (?:does|has) (?:the |my )?(?P<device3>.+?) (?:have|got|left)(?: left)?"
    r"|(?:what's|what is) (?:the |my )?(?P<device4>.+?)'s (?P<what5>battery)(?: level)?)"
    r"(?: right now| now| today)?"
)
# "are any batteries low", "which batteries need changing": the devices that report one, lowest first
BATTERIES_LOW = re.compile(
    r"(?:are|is) (?:any|there any|any of the|the) batter(?:y|ies) (?:low|running low|dying|flat)"
    r"|(?:which|what) batter(?:y|ies) (?:are|is) (?:low|running low|dying|flat)"
    r"|(?:which|what) batter(?:y|ies) (?:need|needs) (?:changing|replacing|to be (?:changed|replaced))"
    r"|(?:check|how are) (?:the |my |all the )?batteries"
)
# "put on a movie", "i want to watch a show": which one? (it switched on the lights just dimmed)
WATCH_SOMETHING = re.compile(
    r"(?:please )?(?:put on|play|watch|i want to watch|i'd like to watch|let's watch|can we watch|can you put on)"
    r" (?:a|an|some) (?P<kind>movie|film|show|tv show|series|cartoon|documentary)s?(?: please)?"
)
# streaming apps, by what they play: "play stranger things on netflix" asked about a device "netflix"
APPS = {
    **dict.fromkeys(("netflix", "youtube", "hulu", "disney plus", "prime video", "amazon prime", "hbo max",
                     "hbo", "apple tv", "plex", "peacock"), "video"),
    **dict.fromkeys(("spotify", "pandora", "apple music", "youtube music", "tunein", "deezer", "tidal"), "music"),
}  # fmt: skip
# "put on netflix", "open youtube": the app on the tv
APP_OPENED = re.compile(
    r"(?:please )?(?:open|launch|start|put on|go to|switch to|turn on|put|play|watch|(?:i want|let'?s) (?:to )?watch) (?:the )?(?P<app>"
    + "|".join(sorted(APPS, key=len, reverse=True))
    + r")(?: app)?(?: on)?(?: (?:on|in) (?:the )?(?P<where>.+?))?(?: please)?"
    # "turn the tv to netflix" asked which player
    + r"|(?:please )?(?:switch|turn|put|change) (?:the )?(?P<where_first>\w+(?: \w+){0,2}) (?:to|on|over to) (?P<app_last>"
    + "|".join(sorted(APPS, key=len, reverse=True))
    + r")(?: app)?(?: please)?"
)
# "play my favorite song" went back a track, "play my favorite podcast" taught a liking for podcasts
FAVORITE_PLAYED = re.compile(
    r"(?:please )?(?:play|put on|can you play|start) (?:me )?(?:my|our) favou?rites?"
    r"(?: (?P<kind>songs?|music|playlist|album|artist|band|radio station|station|tunes?"
    r"|podcast|audiobook|book|show|tv show|movie|film|series))?(?: please)?"
)
# "switch the tv to hdmi 2", "change the input to hdmi 1" (asked about a device called "hdmi")
# "switch the tv to the ps5" turned the tv off: a console or box said is that input, as the tv names it
INPUTS = {"ps5": "PS5", "p s five": "PS5", "p s 5": "PS5", "playstation 5": "PS5", "playstation five": "PS5",
          "playstation": "PlayStation", "xbox": "Xbox", "nintendo switch": "Nintendo Switch", "cable box": "Cable",
          "cable": "Cable", "blu ray": "Blu-ray", "blu ray player": "Blu-ray", "dvd player": "DVD", "dvd": "DVD",
          "chromecast": "Chromecast", "fire stick": "Fire TV Stick", "firestick": "Fire TV Stick",
          "game console": "Game Console", "console": "Game Console"}  # fmt: skip
_INPUT_NAMES = "|".join(sorted(INPUTS, key=len, reverse=True))
INPUT_CHOSEN = re.compile(
    r"(?:please )?(?:switch|change|set|put|turn) (?:the )?(?:(?P<where>(?!input|source)\w+(?: \w+){0,2}) )?"
    r"(?:(?:input|source) )?(?:to|on|over to) (?:the |my )?(?:hdmi ?(?P<number>[1-4]|one|two|three|four)?(?: input)?"
    rf"|(?P<named>{_INPUT_NAMES}))(?: please)?"
    rf"|(?:please )?(?:switch to|(?:let'?s |i want to )?play(?: on)?|turn on|put on) (?:the |my )?(?P<named2>{_INPUT_NAMES})"
    r"(?: (?:on|in) (?:the )?(?P<where2>\w+(?: \w+)?))?(?: please)?"
)
# "rename the floor lamp to reading lamp": names live in devices.yaml (it was read as a turn-on)
# "when i say the big light i mean the living room light": a name of one's own for a device (taught
# as a command, it said "When you say light, I'll the living room light.")
TEACH_NAME = re.compile(
    r"when i say (?:the |my )?(?P<phrase>.+?),? (?:i mean|i'm talking about|that means|it means) (?:the |my )?"
    r"(?P<name>.+?)(?: please)?"
)
RENAME = re.compile(
    r"(?:please )?(?:rename|re name) (?:the |my )?(?P<device>.+?) (?:to|as) (?:the |my )?(?P<name>.+)"
    r"|(?:please )?call (?:the |my )?(?P<device2>.+?) (?:the |my )(?P<name2>.+)"
)
# "what color is the floor lamp", "what color is it" (read as the date, or a light set)
COLOR_ASKED = re.compile(r"what colou?r is (?:it|that|this|the (?P<name>.+?))(?: set to| now| right now)?")
# "who is at the door": no camera nor doorbell here (it answered the lock's state)
WHO_AT_DOOR = re.compile(
    r"who(?:'s| is) (?:at|outside) (?:the |my )?(?:front |back )?door(?: right now| now)?|who rang(?: the)? (?:door)?bell"
)
# "is anyone home" (it asked which device): nothing here senses people
WHO_IS_HOME = re.compile(
    r"(?:is )?(?:anyone|anybody|someone|somebody) (?:at )?(?:home|here|in the house|in (?:the )?\w+(?: room)?)(?: right now| now)?"
    r"|who(?:'s| is) (?:at )?(?:home|here|in the house)(?: right now| now)?"
)
# "how loud is it", "what volume is the tv at" (read as the temperature)
HOW_LOUD = re.compile(
    r"(?:how loud is (?:it|that|this|the (?:music|tv|television|speaker|\w+ speaker))(?: now| right now)?"
    r"|what volume is (?:it|that|the (?:music|tv|television|speaker|\w+ speaker))(?: (?:at|on|set to))?)"
    r"(?: (?:in|on) the (?P<room>\w+(?: \w+)?))?"  # "how loud is it in the bedroom"
)
# "change the channel", "put on channel 5": no convention here carries a channel (read as switching
# on a device called "channel")
CHANNEL = re.compile(
    r"(?!.*\b(?:next|previous|last) channel\b)(?:\w+ )*channels?\b.*"
)  # "next channel": a media next
# "shuffle", "repeat this song": not something the runtime can ask a player yet (read as "stop")
SHUFFLE_REPEAT = re.compile(
    r"(?:please )?(?:turn on |turn off )?(?:shuffle|repeat)(?: (?:on|off|mode|(?:the|my) (?:music|songs|playlist)|this(?: song)?|the song|it))?(?: please)?"
)
# "skip forward 10 seconds" went to the next track, "rewind 30 seconds" asked about a timer; no
# convention here carries a seek. "turn up the bass" set the volume.
SEEK = re.compile(
    r"(?:please )?(?:(?:rewind|fast forward)(?P<by>(?: (?:by )?(?:\w+ ){0,2}(?:seconds?|minutes?)))?"
    r"|(?:skip|go|jump) (?:forward|ahead|back|backward)(?P<by2> (?:by )?(?:\w+ ){0,2}(?:seconds?|minutes?))"
    # "play it from the start", "restart this song" ("Sorry")
    r"|(?:play|start) (?:it|this|that|the (?:song|track|episode|movie)|this (?:song|track|episode|movie))"
    r" (?:from the (?:start|beginning|top)|again from the (?:start|beginning)|over)"
    r"|restart (?:the|this) (?:song|track|episode|movie))"
    r"(?: please)?"
)
SKIP_BACK = re.compile(r"(?:please )?(?:skip|jump) back(?:wards?)?(?: (?:a|one) (?:song|track))?(?: please)?")
TONE = re.compile(
    r"(?:please )?(?:(?:turn|crank|bring) (?:up|down) the (?:bass|treble)|(?:more|less) (?:bass|treble)"
    r"|(?:turn|crank) the (?:bass|treble) (?:up|down))(?: please)?"
)
# "make sure the front door is locked": lock it (read as a question, it answered "No, ... unlocked")
MADE_SURE = re.compile(
    r"(?:please |can you |could you )?make sure (?:that )?(?P<what>.+?) (?:is|are) (?:(?:turned|switched) )?"
    r"(?P<state>locked|unlocked|on|off|open|closed|shut)(?: please)?"
)
# "warm up the office", "heat the office", "make the bedroom warmer", "cool down the bedroom": that room's
# heater on, else the thermostat a step (read as a light switched on or dimmed, or out of domain)
ROOM_WARMED = re.compile(
    r"(?:please )?(?:(?P<warm>warm up|heat up|heat|warm) (?:the )?(?P<room>.+?)(?: up)?"
    r"|(?:cool down|cool) (?:the )?(?P<cool_room>.+?)(?: down)?"
    r"|make (?:the )?(?P<make_room>.+?) (?P<how>warmer|hotter|cooler|colder))(?: (?:a (?:bit|little)|please))?"
)
# "what's the temperature in every room", "which room is the warmest" (the weather "in every room", a
# room called "rooms"): each room's thermometer; "is the house warm enough" (the weather): the home's
ROOMS_TEMPERATURE = re.compile(
    r"(?:what's|what is|whats|what are|tell me) the temperatures?(?: in| of)? (?:every|each|all(?: of)?(?: the)?|the) rooms?"
    r"|how (?:warm|cold|hot) is (?:it )?(?:in )?(?:every|each|all the) rooms?"
    r"|(?:which|what) rooms? (?:is|are) (?:the )?(?P<extreme>warmest|hottest|coldest|coolest|warm|cold|hot)(?: right now| now)?"
    r"|(?:what's|what is|whats) the temperature (?:around|all over|throughout) the (?:house|home)"
)
HOUSE_WARM = re.compile(
    r"is (?:the |my )?(?:house|home|place|flat|apartment) (?:warm|cold|hot|chilly|cool)(?: enough)?(?: right now| now)?"
)
# "is it warm in the office", "is it cold in the bedroom": the temperature there (read as the weather)
WARM_IN = re.compile(
    r"(?:is it|is the temperature) (?:warm|cold|hot|chilly|cool|freezing)(?: enough)? in (?:the )?(?P<room>.+?)"
    r"(?: right now| now| today)?"
)
# "why did you do that", "what did you hear": the turn before explained, from its trace
WHY_ASKED = re.compile(
    r"(?:hey |ok |okay )?(?:why did you (?:do|say) (?:that|this)|what did you (?:just )?(?:do|hear)"
    r"|what did i (?:just )?(?:say|ask(?: you)?(?: for)?)"
    r"|what (?:just )?happened|why did (?:that|this) happen"
    # "what's the last thing i asked" (it said "Sorry")
    r"|what(?:'s|s| is| was) the last thing (?:i|we) (?:said|asked(?: you)?(?: for)?|told you)"
    r"|what(?: was| is|'s|s) my last (?:request|question|command))(?: just now| there)?"
)
# "say that again", "what did you say": the answer before, said again (they were out of domain)
REPEAT_ASKED = re.compile(
    r"(?:sorry,? |pardon,? )?(?:(?:can|could|would) you |please )?(?:repeat(?: that| it| yourself| the answer| what you said)?"
    r"|say (?:that|it) again|what did you (?:just )?say|what was that|come again|pardon(?: me)?|sorry,? what"
    r"|i didn't (?:hear|catch) (?:that|you|it|what you said)|one more time"
    r"|what|huh|sorry|excuse me|say again)(?: please)?"  # "what?" just after an answer: said again
)
