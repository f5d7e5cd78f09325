"""One turn end to end: wake -> endpoint -> ASR -> rewrite -> NLU -> resolve -> dispatch -> result.

`Pipeline` serves one satellite. It is fed 80 ms `AudioChunk`s by `AudioLoop` (a capture thread that
never waits for inference or MQTT, and a processing thread), or typed text by `handle_text`, which
runs everything after ASR. Every turn is written to the SQLite store with the trace and per-stage
timings, and sent up through the bridge's outbox.

The stages are small Protocols so that each can be swapped or driven on its own; `load_stages` wires
the real ones (openWakeWord, the VAD endpointer, pocketsphinx/Vosk, the int8 NLU, resolve, dispatch).

Timings (seconds) recorded on each turn: `endpoint_wait` (audio time from the last voiced frame to
the end of the utterance: the trailing silence), `asr_final`, `rewrite`, `nlu`, `resolve`,
`dispatch`, `execute` (publish and wait for the device's state echo) and, when the bridge reports
it, `publish` (until the command left for the broker).
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import math
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, runtime_checkable

from runtime.audio.vad import WAKE_CONTEXT_S, WakeTail
from runtime.choices import by_ordinal, chosen_timers, expected_answers
from runtime.clauses import commands
from runtime.clock import duration_in_text
from runtime.config import Config
from runtime.context import ContextStore, JustStarted, SetAlarm
from runtime.dispatch import (
    TIMER_INTENTS,
    alarm_said,
    alarm_set_already,
    alarm_skipped,
    day_word,
    no_timer,
    reminder_of,
    ring_text,
    timer_answer,
    timer_renamed,
    timers_answer,
    you_form,
)
from runtime.events import (
    FRAME_SAMPLES,
    SAMPLE_RATE,
    Action,
    ActionResult,
    Alternative,
    AudioChunk,
    Command,
    FailurePoint,
    Feedback,
    Interpretation,
    Partial,
    Resolution,
    Rewrite,
    RewriteSource,
    Transcript,
    Turn,
    Wake,
    to_dict,
)
from runtime.numbers import parse_number
from runtime.phrasings import (
    DAY_FOLLOW_UP,
    LISTED_CHANGED,
    REMIND_AGAIN,
    REPEAT_ASKED,
    SNOOZE,
    SNOOZE_MINUTES,
    STOPWATCH_IT,
    TIMER_ORDINAL,
    WHY_ASKED,
    unrepeated,
)
from runtime.resolve import (
    MAX_TIMER_S,
    SPEECH_SETTINGS,
    meant_instead,
    normalize,
    speech_key,
    taught_command,
)
from runtime.stopwatch import Stopwatch
from runtime.timers import ALARM, Repeat, RunningTimer, Timers, called, duration_text, saved

log = logging.getLogger(__name__)

NBEST = 5
EARLY_ENDPOINT_MS = 240  # pause after a complete command that ends it (0: off); see _complete_early
EARLY_MIN_SCORE = 0.9  # NLU confidence that the partial transcript is a whole command
# a timer or alarm that rings says so again every RING_EVERY_S until stopped ("stop", the wake
# word, any request), RING_TIMES times at most: said once, it was missed from the next room
RING_EVERY_S = 10.0
RING_TIMES = 12
# what stops the ringing, said just after it: not "pause the music" or "turn off" the last device
RING_STOPPED = re.compile(
    r"(?:(?:ok(?:ay)?|alright|thanks|thank you),? )?(?:stop(?: it| that| ringing)?|enough|shut up|quiet|be quiet"
    r"|cancel(?: it)?|dismiss(?: it)?|ok(?:ay)?|thanks|thank you|got it|turn it off"
    r"|(?:stop|cancel|dismiss) (?:the |my )?(?:alarm|timer|reminder)|turn (?:off )?the (?:alarm|timer)(?: off)?)"
    r"(?: please)?"
)
RING_HEARD_S = 30.0  # how long after the ringing stopped "stop" is about it
PREROLL_CHUNKS = 0  # chunks kept before a wake-less start; 0: the ASR rejects leading silence today
WAKE_CONTEXT_CHUNKS = round(WAKE_CONTEXT_S * SAMPLE_RATE / FRAME_SAMPLES)  # before a wake word's chunk


# --- the seams ---------------------------------------------------------------------------------------


class WakeDetector(Protocol):
    def process(self, chunk: AudioChunk) -> list[Wake]: ...


class Endpointer(Protocol):
    """Voice activity over one utterance: `feed` returns True once trailing silence ended it."""

    last_voiced: float  # audio time (s) of the end of the last voiced frame, once it ended
    heard_speech: bool  # False when the utterance ended without anyone speaking (a false wake)

    @property
    def voiced_until(self) -> float | None:
        """While the utterance runs: end of its last voiced frame so far (None: no speech yet)."""

    def reset(self) -> None: ...

    def feed(self, chunk: AudioChunk) -> bool: ...

    def is_speech(self, chunk: AudioChunk, context: Sequence[AudioChunk] = ()) -> bool:
        """`context`: the audio just before `chunk`, for a VAD that has not been listening."""

    def flush(self) -> None:
        """The stream ended mid-utterance: settle `last_voiced` and `heard_speech`."""


class AsrEngine(Protocol):
    def start(self) -> None: ...

    def accept(self, chunk: AudioChunk) -> Partial | None: ...

    def final(self) -> Transcript: ...


class Nlu(Protocol):
    def parse(self, text: str, n: int = NBEST) -> list[Interpretation]: ...


class Rewriter(Protocol):
    def lookup(self, text: str, person: str | None = None) -> Rewrite | None: ...


class Bridge(Protocol):
    """What the pipeline needs from MQTT (mqtt_bridge.Bridge, or anything with these methods)."""

    def execute(self, commands: list[Command]) -> ActionResult: ...

    def send_turn(self, turn: dict[str, Any]) -> Any: ...

    def send_feedback(self, feedback: dict[str, Any]) -> Any: ...


class TurnStore(Protocol):
    def save_turn(self, turn: Turn) -> None: ...


@runtime_checkable
class TimerStore(Protocol):
    """A store that keeps the timers across a restart (the device's; `ambient nlu` has none)."""

    def save_timers(self, satellite: str, timers: list[dict[str, Any]]) -> None: ...

    def saved_timers(self, satellite: str) -> list[dict[str, Any]]: ...


class Speaker(Protocol):
    speed_wpm: int  # words per minute ("speak slower")
    amplitude: int  # espeak-ng's loudness ("speak up")

    @property
    def speaking(self) -> bool: ...

    def say(self, text: str, on_done: Callable[[bool], None] | None = None) -> bool: ...

    def stop(self) -> bool: ...


Resolver = Callable[[list[Interpretation], ContextStore, str], Resolution]
Dispatcher = Callable[[Resolution, ContextStore], Action]
EventSink = Callable[[str, str, dict[str, Any]], None]  # kind, satellite, data


@dataclass
class Stages:
    """The models and functions a pipeline runs. Factories give each satellite its own stateful
    stages (wake buffers, decoder, endpointer); the NLU, resolver and dispatcher are shared."""

    nlu: Nlu
    resolve: Resolver
    dispatch: Dispatcher
    wake: Callable[[str], WakeDetector] | None = None  # satellite id -> its own detector
    endpointer: Callable[[str], Endpointer] | None = None
    asr: Callable[[str], AsrEngine] | None = None


# --- one satellite ---------------------------------------------------------------------------------


class Pipeline:
    def __init__(
        self,
        config: Config,
        satellite: str,
        stages: Stages,
        ctx: ContextStore,
        store: TurnStore,
        bridge: Bridge,
        rewriter: Rewriter,
        *,
        speaker: Speaker | None = None,
        on_event: EventSink | None = None,
        person: str = "default",  # who is speaking; no speaker identification yet
        barge_in_on_speech: bool = True,
        early_endpoint_ms: int = EARLY_ENDPOINT_MS,
    ) -> None:
        self.config = config
        self.satellite = satellite
        self.stages = stages
        self.ctx, self.store, self.bridge, self.rewriter = ctx, store, bridge, rewriter
        self.speaker = speaker
        self.person = person
        if speaker is not None:  # "speak slower", "speak up", said before a restart
            for setting, attribute in SPEECH_SETTINGS.items():
                if kept := ctx.preferences(person).get(speech_key(satellite, setting)):
                    setattr(speaker, attribute, int(kept))
        self.barge_in_on_speech = barge_in_on_speech  # off where the speaker echoes into the mic
        self.early_endpoint_ms = early_endpoint_ms
        self._early_checked = ""
        self._emit_fn = on_event
        self.wake = stages.wake(satellite) if stages.wake else None
        self.endpointer = stages.endpointer(satellite) if stages.endpointer else None
        self.asr = stages.asr(satellite) if stages.asr else None
        self._lock = threading.RLock()  # handle_text from a CLI thread vs. the audio thread
        self._mode = "idle"  # idle | wake_tail | listening | follow_up
        self._tail = WakeTail(0.0)
        self._preroll: collections.deque[AudioChunk] = collections.deque(maxlen=PREROLL_CHUNKS)
        # the latest chunks: a wake word's chunk and the audio the VAD hears before judging it
        self._recent: collections.deque[AudioChunk] = collections.deque(maxlen=WAKE_CONTEXT_CHUNKS + 1)
        self._utterance_start = 0.0
        self._utterance_wake: Wake | None = None
        self._utterance_started_wall = 0.0
        self._follow_up_until: float | None = None
        self._follow_up_pending = False  # the window opens once the spoken answer has finished
        self._speaking_turn: Turn | None = None
        self._last_partial = ""
        self._last_chunk_end = 0.0
        self._last_timestamp = -1.0  # a chunk older than this starts a new stream
        self._open_follow_up_on_next_chunk = False  # set from the speaker thread when it finishes
        self.turns: list[Turn] = []  # finished turns (the demo and tests read them)
        self._timers_offered: list[int] = []  # the timers "Which one should I cancel?" listed
        self._offered_for = "HassCancelTimer"  # what the answer does to them: cancel, pause or resume
        self._offered_delta = 0  # with HassIncreaseTimer / HassDecreaseTimer: the seconds added
        self._timers_listed: list[int] = []  # the timers the answer just before listed, in its order
        self._kind_listed: str | None = None  # the kind of timer listed just before ("alarm")
        self.timers = Timers(self._timer_rang)  # a timer rings where it was asked for
        self.stopwatch = Stopwatch()  # counts up on this satellite
        self._stopwatch_last = False  # the turn just before was about it: "stop" is about it too
        # "tell everyone dinner is ready": (this satellite, the message, the satellites to say it on);
        # the runtime that owns every satellite's pipeline sets it
        # (this satellite, the message, the satellites to say it on, the room ids to say it in on the
        # other hubs: None for every room)
        self.on_broadcast: Callable[[str, str, list[str], tuple[str, ...] | None], None] | None = None
        self.ring_every_s, self.ring_heard_s, self.ring_times = RING_EVERY_S, RING_HEARD_S, RING_TIMES
        self._ring_lock = threading.Lock()
        self._ring = 0  # the ringing that may go on; stopping it moves this on
        self._ring_next: threading.Timer | None = None  # its next time, while it rings
        self._ring_stopped_at = -math.inf  # time.monotonic()
        self._last_rung: RunningTimer | None = None  # what rang last: "remind me again" is about it
        # the reminder that rang last and when (monotonic): "remind me again in 10 minutes" said later
        self._reminder_rung: tuple[RunningTimer, float] | None = None
        self.remind_again_within_s = REMIND_AGAIN_WITHIN_S
        if isinstance(store, TimerStore):  # an alarm set last night rings though the daemon restarted
            keeper: TimerStore = store
            self.timers.on_change = lambda timers: keeper.save_timers(satellite, [saved(t) for t in timers])
            if restored := self.timers.restore(keeper.saved_timers(satellite)):
                log.info(
                    "%s: %d timers, alarms and reminders kept from before a restart", satellite, len(restored)
                )

    # events ----------------------------------------------------------------------------------
    def _emit(self, kind: str, /, **data: Any) -> None:
        if self._emit_fn is not None:
            try:
                self._emit_fn(kind, self.satellite, data)
            except Exception:  # a display bug must never lose a turn
                log.exception("event sink failed on %s", kind)

    def _hermes(self, hook: str, *args: Any) -> None:
        """Rhasspy/Snips-era events, when the bridge has them switched on (config.mqtt.hermes)."""
        hermes = getattr(self.bridge, "hermes", None)
        if hermes is None:
            return
        try:
            getattr(hermes, hook)(*args)
        except Exception:
            log.exception("hermes %s failed", hook)

    # text entry point --------------------------------------------------------------------------
    def handle_text(
        self,
        text: str,
        *,
        transcript: Transcript | None = None,
        wake: Wake | None = None,
        timings: dict[str, float] | None = None,
        started: float | None = None,
        asked: bool = True,
    ) -> Turn:
        """Run everything after ASR on `text`; record, upload and answer the turn. Several commands
        said together ("lock the door and turn off the lights") are a turn each; the last is returned.
        `asked` is False for a command for later, run when its timer rings."""
        heard = transcript or Transcript(text, 1.0, engine="text")
        if asked:
            self.stop_ringing()  # whatever is said, the ringing was heard
        with self._lock:
            if heard.rejected or not heard.text.strip():
                return self._turn(heard, None, wake, timings, started)
            t = time.perf_counter()
            rewrite = self._rewrite(heard.text)
            looked_up = time.perf_counter() - t
            said = rewrite.text if rewrite is not None else heard.text
            parts = commands(said)
            source: RewriteSource = rewrite.source if rewrite is not None else "split"
            last = self.ctx.last_request(self.satellite)
            targets = self.ctx.last_target_devices(self.satellite)
            meant = meant_instead(last, normalize(heard.text), self.config.rooms, self.ctx.devices(), targets)
            if meant is not None and rewrite is None:  # "no, i meant the X": the last change undone, then X
                parts, source = (["undo", meant] if last is not None else [meant]), "corrected"
            rewrites = (
                [rewrite]
                if len(parts) == 1 and source != "corrected" and parts[0] == said
                else [Rewrite(heard.text, part, source) for part in parts]  # split, or "good night, ..." cut
            )
            turns = [
                self._turn(
                    heard,
                    each,
                    wake if i == 0 else None,  # the wake word and the timings so far: the first turn's
                    {**(timings or {}), "rewrite": looked_up} if i == 0 else {"rewrite": 0.0},
                    started,
                )
                for i, each in enumerate(rewrites)
            ]
            return turns[-1]

    def _rewrite(self, heard: str) -> Rewrite | None:
        taught = taught_command(self.ctx, heard, self.person)  # what the person taught beats what was mined
        return Rewrite(heard, taught, "taught") if taught else self.rewriter.lookup(heard, self.person)

    def _turn(
        self,
        heard: Transcript,
        rewrite: Rewrite | None,
        wake: Wake | None,
        timings: dict[str, float] | None,
        started: float | None,
    ) -> Turn:
        turn = Turn(device=self.config.home.device_id, satellite=self.satellite)
        if started is not None:
            turn.started = started
        turn.wake, turn.transcript, turn.rewrite = wake, heard, rewrite
        turn.timings.update(timings or {})
        if heard.rejected or not heard.text.strip():
            turn.action = Action("none", text="Sorry, I didn't catch that.")
        else:
            self._understand_and_act(turn)
        self._expect_answers()
        turn.failure_point = failure_point(turn)
        if not _about_a_turn(turn):  # "that's wrong" next takes back a change ("say that again" between)
            changed = turn.result is not None and turn.result.status == "success"
            undone = turn.resolution is not None and "undo" in turn.resolution.values
            self.ctx.set_just_changed(self.satellite, changed and not undone)  # "no" twice is no redo
        self._record(turn)
        self._respond(turn)
        return turn

    def _understand_and_act(self, turn: Turn) -> None:
        t = time.perf_counter()
        assert turn.transcript is not None
        if turn.rewrite is not None:
            self._emit(
                "rewrite", original=turn.rewrite.original, text=turn.rewrite.text, source=turn.rewrite.source
            )
        # what the turn just before left to be about ("cancel it" after a list): this turn only
        listed, self._timers_listed = self._timers_listed, []
        watched, self._stopwatch_last = self._stopwatch_last, False
        kind_listed, self._kind_listed = self._kind_listed, None
        rung, self._last_rung = self._last_rung, None
        # the first request after a ringing stopped may be about it; no later one is
        ringing_heard = time.monotonic() - self._ring_stopped_at < self.ring_heard_s
        self._ring_stopped_at = -math.inf
        if ringing_heard and RING_STOPPED.fullmatch(normalize(turn.text)):
            # "stop" as a timer rings: that is all it means (it paused the music)
            turn.resolution = Resolution(
                Interpretation("AmbientStop", 1.0, [], turn.text), values={"ring": "stopped"}
            )
            turn.action = Action("answer", text="")
            return
        if ringing_heard and rung is not None and (again := self._reminded_again(turn, rung)) is not None:
            turn.action = again  # "It's time to stretch.", then "remind me again in 10 minutes"
            return
        recent = self._reminder_rung
        if (
            not ringing_heard
            and recent is not None
            and time.monotonic() - recent[1] < self.remind_again_within_s
            and REMIND_AGAIN.fullmatch(normalize(turn.text))  # not "snooze": nothing rings
            and (again := self._reminded_again(turn, recent[0])) is not None
        ):
            turn.action = again  # said a while after it rang, not as the first thing: the same
            return
        if not ringing_heard and SNOOZE.fullmatch(normalize(turn.text)):
            # "snooze" with nothing ringing set an alarm 9 minutes away
            turn.resolution = Resolution(
                Interpretation("AmbientStop", 1.0, [], turn.text), values={"ring": "none"}
            )
            turn.action = Action("answer", text="Nothing is ringing to snooze.")
            return
        offered, self._timers_offered = self._timers_offered, []
        if offered and self._timer_chosen(turn, offered):  # "Which one should I cancel?" -> "the egg timer"
            return
        if listed and self._listed_changed(turn, listed):  # "what timers do i have" -> "cancel it"
            return
        text = normalize(turn.text)
        if watched and (asked := next((k for k, said in STOPWATCH_IT.items() if said.fullmatch(text)), None)):
            # "start a stopwatch", then "stop": the stopwatch (it paused the music)
            why = [f"'{text}' just after the stopwatch: about it"]
            interp = Interpretation("OutOfDomain", 1.0, [], turn.text)
            turn.resolution = Resolution(interp, values={"stopwatch": asked}, reasons=why)
            turn.action = Action("answer", text=self.stopwatch.handle(asked))
            self._stopwatch_last = self.stopwatch.used  # reset: "stop" is the music's again
            return
        parsed = turn.text
        if kind_listed and (more := DAY_FOLLOW_UP.fullmatch(text)) is not None:
            parsed = f"what {kind_listed}s do i have {more['day']}"  # "and on saturday": that day's list
        if (again_asked := REMIND_AGAIN.fullmatch(text)) is not None:
            # no reminder rang lately: remind of what? (it set a plain timer)
            parsed = f"remind me in {again_asked['time'] or duration_text(REMIND_AGAIN_S)}"
        turn.nbest = self.stages.nlu.parse(parsed, NBEST)
        t = _lap(turn, "nlu", t)
        if not turn.nbest:
            turn.action = Action("none", text="Sorry, I didn't understand that.")
            return
        before = next((b for b in reversed(self.turns) if not _about_a_turn(b)), None)
        done = next((b for b in reversed(self.turns) if not (_about_a_turn(b) or _said_no_only(b))), None)
        if done is not None and WHY_ASKED.fullmatch(normalize(turn.text)):
            # "why did you do that": what the turn before heard and did (the model read it as feedback)
            turn.resolution = Resolution(turn.nbest[0], values={"explains": done.id})
            turn.action = Action("answer", text=explain(done))
            return
        if REPEAT_ASKED.fullmatch(normalize(turn.text)):
            # "say that again": the answer before, said again (it was out of domain); with none, so
            # (it said "Sorry, I can't help with that.")
            turn.resolution = Resolution(turn.nbest[0], values={"repeats": before.id if before else None})
            said = before.action.text if before is not None and before.action is not None else ""
            turn.action = Action("answer", text=said or "I didn't say anything.")
            return
        if done is None and WHY_ASKED.fullmatch(normalize(turn.text)):
            turn.resolution = Resolution(turn.nbest[0], values={"explains": None})
            turn.action = Action("answer", text="I haven't done anything yet.")
            return
        self._emit("interpretation", nbest=[to_dict(i) for i in turn.nbest[:3]])
        self._hermes("intent", turn.nbest[0])
        alarms = [
            SetAlarm(t.id, t.remaining(), t.repeat)
            for t in self.timers.running(self.satellite)
            if t.kind == ALARM
        ]
        self.ctx.set_running_timers(self.satellite, len(self.timers.running()), alarms)
        turn.resolution = self.stages.resolve(turn.nbest, self.ctx, self.satellite)
        t = _lap(turn, "resolve", t)
        self._emit("resolution", **to_dict(turn.resolution))
        turn.action = self._timers(turn.resolution, self.stages.dispatch(turn.resolution, self.ctx))
        for setting, attribute in SPEECH_SETTINGS.items():  # "speak slower", "speak up": this answer already
            if (value := turn.resolution.values.get(setting)) is not None and self.speaker is not None:
                setattr(self.speaker, attribute, int(value))
        t = _lap(turn, "dispatch", t)
        said_to = turn.resolution.values.get("to")
        if "broadcast" in turn.resolution.values and self.on_broadcast is not None and said_to is not None:
            # said_to may be empty: the room is another hub's ("tell the garage ...")
            values = turn.resolution.values
            rooms = None if values.get("everyone") else (str(values["room_id"]),)
            self.on_broadcast(self.satellite, str(values["broadcast"]), list(said_to), rooms)
        self._emit("action", **to_dict(turn.action), at=time.perf_counter())
        if turn.action.kind == "command" and turn.action.commands:
            change = self.ctx.change_of(turn.action.commands)
            turn.result = self.bridge.execute(turn.action.commands)
            _lap(turn, "execute", t)
            published = getattr(self.bridge, "last_publish_s", None)  # set by bridges that can tell
            if isinstance(published, float):
                turn.timings["publish"] = published
            if turn.result.status == "success":
                self.ctx.set_last_target(self.satellite, [c.device_id for c in turn.action.commands])
                self.ctx.set_last_change(self.satellite, change)
                for c in turn.action.commands:  # a satellite's own player reports no state: what it was told
                    if c.expect and self.ctx.satellite_player(c.device_id) is not None:
                        self.ctx.update_state(c.device_id, c.expect)
            self._emit("result", status=turn.result.status, detail=turn.result.detail)

    def _timers(self, resolution: Resolution, action: Action) -> Action:
        """Dispatch words a timer answer; this makes it true."""
        intent, values = resolution.interpretation.intent, resolution.values
        if "stopwatch" in values:  # "stop the stopwatch": dispatch cannot see it
            answer = Action("answer", text=self.stopwatch.handle(values["stopwatch"]))
            self._stopwatch_last = self.stopwatch.used
            return answer
        if values.get("negated") and (undone := self._later_undone(resolution.interpretation.text)):
            return undone
        if action.kind != "answer":
            return action
        if "rename_to" in values:  # "rename the timer to pasta", "call it pasta" just after one was set
            return self._timer_renamed(values) or action
        # "restart the timer": its whole length again
        if intent == "HassStartTimer" and values.get("restart"):
            timer = self._timer_meant(values, "restart the pasta timer")
            if not isinstance(timer, RunningTimer):
                return timer or action  # "There is no timer running."
            return self._timer_replaced(resolution, timer.id, timer.seconds)
        if intent == "HassStartTimer":
            command = values.get("command")
            problem = self._cannot_do_later(command) if command else None
            if problem:  # asked now, not discovered when the timer rings
                return Action("clarify", text=problem)
            if "after_timer" in values:  # "turn off the oven when the timer is done": as long as it has left
                timer = self.timers.find(self.satellite, values["after_timer"] or None)
                if timer is None:
                    return Action("answer", text=no_timer(resolution, self.ctx))
                later = self.timers.start(self.satellite, max(1, math.ceil(timer.remaining())), None, command)
                self.ctx.set_just_started(self.satellite, JustStarted.of(later))
                return action
            if "moved_id" in values:  # "move my alarm to 8": the alarm set before is no more
                self.timers.cancel_id(int(values["moved_id"]))
            if "replaces" in values:  # "set a timer for 5 minutes", then "make it 10": that timer, longer
                return self._timer_replaced(resolution, int(values["replaces"]), int(values["seconds"]))
            repeat = Repeat.from_dict(values["repeat"]) if values.get("repeat") else None
            if values.get("timer_name") and "at" in values and not command:  # said twice: one, not two
                twin = next(
                    (t for t in self.timers.running(self.satellite)
                     if t.name == values["timer_name"] and t.reminder == bool(values.get("reminder"))
                     and t.repeat == repeat and abs(t.remaining() - values["seconds"]) <= 60),
                    None,
                )  # fmt: skip
                if twin is not None:
                    return Action("answer", text=alarm_set_already(twin))
            started = self.timers.start(
                self.satellite,
                int(values["seconds"]),
                values.get("timer_name"),
                command,
                reminder=bool(values.get("reminder")),
                repeat=repeat,
            )
            # "cancel that", said next. Set after _cannot_do_later above: resolving the timer's command
            # there runs resolve(), which clears what the turn before started.
            self.ctx.set_just_started(self.satellite, JustStarted.of(started, "at" in values))
        elif intent == "HassCancelAllTimers":
            kinds = frozenset(values.get("timer_kinds") or [values.get("timer_kind", "timer")])
            cancelled = self.timers.cancel_all(self.satellite, kinds)
            return Action("answer", text=timer_answer(intent, values, cancelled[-1])) if cancelled else action
        elif intent == "HassCancelTimer" and ("skip" in values or "repeating" in values):
            return self._alarm_left_out(values)
        elif intent == "HassCancelTimer":
            which = (values.get("timer_name"), values.get("timer_seconds"))
            alike = self._alike(values)
            if len(alike) > 1 and (first := _first_both_ways(resolution.interpretation.text, alike)):
                self.timers.cancel_id(first.id)  # "cancel the first one"
                return Action("answer", text=_one_cancelled(first))
            if len(alike) > 1:  # "cancel the timer" with two running: cancelling either could be wrong
                self._timers_offered, self._offered_for = [t.id for t in alike], intent
                told = timers_answer(alike[0].kind, alike)
                return Action("clarify", text=f"{told} Which one should I cancel?")
            if "timer_id" in values:  # "cancel that": the timer the turn before started
                timer = self.timers.cancel_id(int(values["timer_id"]))
            else:
                timer = self.timers.cancel(
                    self.satellite, *which, ends_in=values.get("ends_in"), kind=_reminder(values)
                )
            if timer is None:
                return self._none_called(values) or action
            return Action("answer", text=timer_answer(intent, values, timer))
        elif intent in TIMER_INTENTS:
            which = (values.get("timer_name"), values.get("timer_seconds"))
            if values.get("all_timers"):  # "what timers do i have", "how many reminders"
                kind = values.get("timer_kind", "timer")
                listed = self._ringing_next(kind)
                self._kind_listed = kind
                if "on_day" in values:  # "what reminders do i have tomorrow": that day's
                    day = date.fromisoformat(values["on_day"])
                    listed = [t for t in listed if _rings_on(t, day)]
                    if not listed:
                        return Action("answer", text=f"You have no {kind}s {day_word(day)}.")
                self._timers_listed = [t.id for t in listed]
                if len(listed) == 1 and listed[0].kind != "reminder":
                    # "what alarms do i have", then "move it to 7:30": that one, as if just set
                    self.ctx.set_just_started(self.satellite, JustStarted.of(listed[0]))
                on = date.fromisoformat(values["on_day"]) if "on_day" in values else None
                clock = bool(values.get("when_asked"))  # "when will my timers be done": the times
                return Action("answer", text=timers_answer(kind, listed, on, clock)) if listed else action
            if intent == "HassTimerStatus":
                alike = self._alike(values)
                if len(alike) > 1 and not values.get("later_of"):  # "how long is left" on two timers: each
                    self._timers_listed = [t.id for t in alike]
                    clock = bool(values.get("when_asked"))
                    return Action("answer", text=timers_answer(alike[0].kind, alike, clock=clock))
                timer = self.timers.find(self.satellite, *which, kind=_reminder(values))
                device = values.get("later_of")
                if device and (timer is None or not timer.command or not called(timer, device)):
                    return Action("answer", text=f"I'm not set to do anything with the {device} later.")
            elif intent in ("HassPauseTimer", "HassUnpauseTimer"):
                pausing = intent == "HassPauseTimer"
                # "pause the timer" with two running paused the latest: the ones it would change
                changed = [t for t in self._alike(values) if t.paused != pausing]
                if values.get("every_timer"):  # "pause all timers": each of them
                    return _all_paused([self.timers.set_paused(t.id, pausing) for t in changed], pausing)
                if len(changed) > 1:
                    self._timers_offered, self._offered_for = [t.id for t in changed], intent
                    told = timers_answer(changed[0].kind, changed)
                    return Action(
                        "clarify", text=f"{told} Which one should I {'pause' if pausing else 'resume'}?"
                    )
                if changed:  # of two, one running and one paused: the one it changes
                    timer = self.timers.set_paused(changed[0].id, pausing)
                else:
                    timer = (self.timers.pause if pausing else self.timers.unpause)(self.satellite, *which)
            else:
                delta = int(values["seconds"]) * (1 if intent == "HassIncreaseTimer" else -1)
                if len(alike := [t for t in self._alike(values) if t.kind == "timer"]) > 1:
                    # "add 5 minutes to the timer" with several: which (it added to one, unsaid)
                    self._timers_offered, self._offered_for = [t.id for t in alike], intent
                    self._offered_delta = delta
                    verb = "add it to" if delta > 0 else "take it from"
                    return Action(
                        "clarify", text=f"{timers_answer('timer', alike)} Which one should I {verb}?"
                    )
                timer = self.timers.find(self.satellite, *which)
                if timer is not None and timer.remaining() + delta > MAX_TIMER_S:
                    return Action("answer", text="A timer can run up to 24 hours.")
                timer = self.timers.add(self.satellite, delta, *which)
                if timer is not None and timer.remaining() <= 0:  # taken off all it had: done now
                    self._emit("timer", seconds=timer.seconds)
            if timer is None:  # dispatch's answer ("There is no timer running.", and what to say instead)
                return self._none_called(values) or action
            if timer.kind != "reminder":  # whether it was for a time of day is not kept: not "make it 6"
                # "how long is left on the pasta timer", then "cancel that" (it stopped the music) or
                # "when is my alarm", then "make it 8": about this one, as if just started
                self.ctx.set_just_started(self.satellite, JustStarted.of(timer))
            return Action("answer", text=timer_answer(intent, values, timer))
        return action

    def _expect_answers(self) -> None:
        """The recognizer accepts the answers to the question the turn just asked ("the tv" to
        "Which one: the tv or the living room speaker?"), and no longer those to an earlier one."""
        expect = getattr(self.asr, "expect", None)
        if expect is None:  # no recognizer here (text), or one that hears any sentence
            return
        offered = [t for t in self.timers.running(self.satellite) if t.id in self._timers_offered]
        expect(expected_answers(self.ctx, self.satellite, offered))

    def _alike(self, values: dict[str, Any]) -> list[RunningTimer]:
        """The timers a request that tells none apart could mean: "the timer" (not a command for
        later), "my reminder", "my alarm"; [] when it names one (by name, length, time or "that")."""
        name = values.get("timer_name")
        if name not in (None, ALARM) or {"timer_seconds", "timer_id", "ends_in"} & values.keys():
            return []
        kind = ALARM if name == ALARM else _reminder(values) or "timer"
        return [t for t in self._ringing_next(kind) if not t.command]

    def _timer_chosen(self, turn: Turn, offered: list[int]) -> bool:
        """ "Which one should I cancel?", then "the egg timer", "the first one", "both" or "neither":
        those cancelled (paused, resumed: "Which one should I pause?"). False when the words are no
        answer about the timers listed (a new request)."""
        listed = [t for t in self.timers.running(self.satellite) if t.id in offered]
        listed.sort(key=lambda t: offered.index(t.id))  # "the first one": as the question listed them
        chosen = chosen_timers(normalize(turn.text), listed)
        if chosen is None:
            return False
        if self._offered_for in ("HassIncreaseTimer", "HassDecreaseTimer"):
            return self._timers_changed(turn, chosen, self._offered_delta)
        if self._offered_for != "HassCancelTimer":
            return self._timers_paused(turn, chosen, pausing=self._offered_for == "HassPauseTimer")
        self._cancel_chosen(turn, chosen)
        return True

    def _reminded_again(self, turn: Turn, rung: RunningTimer) -> Action | None:
        """ "It's time to stretch.", then "remind me again in 10 minutes", "remind me later" or
        "snooze": that reminder again, in that while (10 minutes unless said; "snooze" set an alarm);
        None when `rung` is no reminder or the words are no asking again."""
        text = normalize(turn.text)
        again, snoozed = REMIND_AGAIN.fullmatch(text), SNOOZE.fullmatch(text)
        if not rung.reminder or not rung.name or (again is None and snoozed is None):
            return None
        if again is not None:
            seconds = duration_in_text(f"in {again['time']}") if again["time"] else REMIND_AGAIN_S
        else:
            assert snoozed is not None
            minutes = snoozed["minutes"] or snoozed["more"]
            seconds = 60 * (parse_number(minutes) or 0) if minutes else SNOOZE_S
        if not seconds or not 0 < seconds <= MAX_TIMER_S:
            return None
        later = self.timers.start(self.satellite, int(seconds), rung.name, reminder=True)
        self.ctx.set_just_started(self.satellite, JustStarted.of(later))
        values = {"seconds": int(seconds), "timer_name": rung.name, "reminder": True, "again_of": rung.id}
        why = [f"'{turn.text}' just after the reminder {rung.id} rang: it again"]
        turn.resolution = Resolution(
            Interpretation("HassStartTimer", 1.0, [], turn.text), values=values, reasons=why
        )
        return Action(
            "answer",
            text=f"OK, I'll remind you {reminder_of(rung.name)} again in {duration_text(int(seconds))}.",
        )

    def _listed_changed(self, turn: Turn, listed_ids: list[int]) -> bool:
        """ "what timers do i have", then "cancel it" (one listed), "pause the second one", "cancel
        both": those of the list cancelled, paused or resumed; "cancel that" of several asks which (it
        stopped the music, "pause it" paused it). False when the words are about no timer listed."""
        said = LISTED_CHANGED.fullmatch(normalize(turn.text))
        listed = [t for t in self.timers.running(self.satellite) if t.id in listed_ids]
        listed.sort(key=lambda t: listed_ids.index(t.id))
        if said is None or not listed or (said["it"] and said["what"]) or not (said["it"] or said["what"]):
            return False
        intent = (
            "HassCancelTimer" if said["cancel"] else "HassPauseTimer" if said["pause"] else "HassUnpauseTimer"
        )
        if said["what"] is not None:  # "the second one", "the pasta timer"
            words = set(said["what"].split())
            kinds = {w.removesuffix("s") for w in words} & {"timer", "alarm", "reminder"}
            if kinds - {t.kind for t in listed} or (kinds and words & {"all", "every"}):
                return False  # "turn off all alarms" after a list of reminders, or of tomorrow's alarms
            chosen = chosen_timers(said["what"].strip(), listed)
        elif said["it"] in ("them", "those", "both") or len(listed) == 1:
            chosen = listed
        elif (
            intent != "HassCancelTimer"
            and len(changed := [t for t in listed if t.paused != bool(said["pause"])]) == 1
        ):
            chosen = changed  # "resume it" of two, one paused: that one
        else:  # "cancel that" of several: which one?
            self._timers_offered, self._offered_for = [t.id for t in listed], intent
            verb = {"HassCancelTimer": "cancel", "HassPauseTimer": "pause"}.get(intent, "resume")
            why = [f"'{turn.text}' just after several timers were listed: which one"]
            question = f"Which one should I {verb}?"
            interp = Interpretation(intent, 1.0, [], turn.text)
            turn.resolution = Resolution(interp, clarification=question, reasons=why)
            turn.action = Action("clarify", text=question)
            return True
        if chosen is None:
            return False
        if intent == "HassCancelTimer":
            self._cancel_chosen(turn, chosen)
            return True
        return self._timers_paused(turn, chosen, pausing=intent == "HassPauseTimer")

    def _cancel_chosen(self, turn: Turn, chosen: list[RunningTimer]) -> None:
        """The timers `chosen` of some listed cancelled, and said so."""
        cancelled = [t for t in chosen if self.timers.cancel_id(t.id) is not None]
        why = f"the timers chosen to cancel: {', '.join(str(t.id) for t in chosen) or 'none'}"
        _answer_chosen(turn, "HassCancelTimer", chosen, cancelled, why, _cancelled_said(cancelled))

    def _timers_changed(self, turn: Turn, chosen: list[RunningTimer], delta: int) -> bool:
        """The answer to "Which one should I add it to?": `delta` seconds added to those (taken off)."""
        intent = "HassIncreaseTimer" if delta > 0 else "HassDecreaseTimer"
        done = [d for t in chosen if (d := self.timers.add_to(t.id, delta)) is not None]
        why = f"the answer to which timer to {'add to' if delta > 0 else 'take off'}"
        if len(done) == 1:
            said = timer_answer(intent, {"seconds": abs(delta)}, done[0])
        else:  # "both": "Took 1 minute off both timers."
            count, amount = "both" if len(done) == 2 else f"all {len(done)}", duration_text(abs(delta))
            said = f"Added {amount} to {count} timers." if delta > 0 else f"Took {amount} off {count} timers."
        return _answer_chosen(turn, intent, chosen, done, why, said, seconds=abs(delta))

    def _timers_paused(self, turn: Turn, chosen: list[RunningTimer], pausing: bool) -> bool:
        """The answer to "Which one should I pause (resume)?": those paused (resumed)."""
        intent = "HassPauseTimer" if pausing else "HassUnpauseTimer"
        done = [d for d in (self.timers.set_paused(t.id, pausing) for t in chosen) if d is not None]
        why = f"the answer to which timer to {'pause' if pausing else 'resume'}"
        return _answer_chosen(turn, intent, chosen, done, why, _paused_said(done, pausing) if done else "")

    def _later_undone(self, text: str) -> Action | None:
        """ "don't turn on the coffee maker", just after "turn on the coffee maker every weekday at 6 30
        am": that command for later cancelled (it said "OK, I won't." and left it set); None when no
        command for later is the one said."""
        said = re.sub(r"^(?:please )?(?:don'?t|do not) ", "", normalize(text))
        said = unrepeated(said)
        said = re.sub(r" (?:tonight|today|tomorrow|any ?more|after all)$", "", said)
        pending = [
            t for t in self.timers.running(self.satellite) if t.command and normalize(t.command) == said
        ]
        for timer in pending:
            self.timers.cancel_id(timer.id)
        if not pending:
            return None
        more = " any more" if any(t.repeat for t in pending) else ""
        return Action("answer", text=f"OK, I won't {you_form(pending[0].command or said)}{more}.")

    def _alarm_left_out(self, values: dict[str, Any]) -> Action:
        """ "skip tomorrow's alarm": that ring only (a repeating alarm rings on its next day after);
        "cancel my weekday alarm": the alarm that repeats so, of several; "cancel tomorrow's
        reminders": those of that day, as alarms are."""
        kind = "reminder" if values.get("timer_kind") == "reminder" else ALARM
        alarms = self._ringing_next(kind)
        if "repeating" in values:
            days = values["repeating"]
            mine = [t for t in alarms if t.repeat and (days is None or sorted(t.repeat.days) == days)]
            if len(mine) > 1:
                self._timers_offered, self._offered_for = [t.id for t in mine], "HassCancelTimer"
                return Action("clarify", text=f"{timers_answer(ALARM, mine)} Which one should I cancel?")
            if not mine or self.timers.cancel_id(mine[0].id) is None:
                return Action("answer", text=f"You have no {values.get('kind', 'repeating')} alarm.")
            return Action("answer", text=f"Your {alarm_said(mine[0])} is cancelled.")
        day = date.fromisoformat(values["date"]) if "date" in values else None
        if "timer_id" in values:  # "skip it tomorrow" just after an alarm was set: that one
            alarms = [t for t in alarms if t.id == values["timer_id"]]
        # the next one; or those that ring that day, and those that repeat on it but ring before
        mine = alarms[:1] if day is None else [t for t in alarms if _rings_on(t, day)]
        told = []
        for timer in mine:
            if timer.repeat is None:  # a one-off: cancelled
                self.timers.cancel_id(timer.id)
                told.append(alarm_skipped(timer, None))
            elif (after := self.timers.skip(timer.id, day)) is not None:
                told.append(alarm_skipped(timer, after, day))
        if not told:
            none = "You have no reminders" if kind == "reminder" else "You have no alarm"
            return Action("answer", text=f"{none} {day_word(day)}." if day else f"{none} set.")
        return Action("answer", text="OK. " + " ".join(told))

    def _ringing_next(self, kind: str) -> list[RunningTimer]:
        """This satellite's timers of `kind` ("timer", "alarm", "reminder"), the one that rings first, first."""
        return sorted(
            (t for t in self.timers.running(self.satellite) if t.kind == kind), key=lambda t: t.remaining()
        )

    def _none_called(self, values: dict[str, Any]) -> Action | None:
        """ "cancel the egg timer" with only a pasta timer: no egg timer, and the timers there are
        ("There is no timer running." was wrong); likewise "cancel the reminder to walk the dog" with
        another reminder ("You have no reminders.")."""
        name, kind = values.get("timer_name"), _reminder(values) or "timer"
        running = self._ringing_next(kind)
        if not name or name == ALARM or not running:
            return None
        which = f"reminder {reminder_of(name)}" if kind == "reminder" else f"{name} timer"
        return Action("answer", text=f"You have no {which}. {timers_answer(kind, running)}")

    def _timer_renamed(self, values: dict[str, Any]) -> Action | None:
        """The timer meant called what was said; of several, a question; None when there is none."""
        timer = self._timer_meant(values, "rename the 5 minute timer to pasta", kind="timer")
        if not isinstance(timer, RunningTimer):
            return timer
        renamed = self.timers.rename(timer.id, values["rename_to"])
        return Action("answer", text=timer_renamed(renamed)) if renamed is not None else None

    def _timer_meant(
        self, values: dict[str, Any], example: str, kind: str | None = None
    ) -> RunningTimer | Action | None:
        """The one timer a request names: by `timer_id` (the one just set), name or length, else the
        only one. Of several it does not tell apart, a question ending with `example`; None when there
        is none (a command for later is none)."""
        if len(alike := self._alike(values)) > 1:
            told = timers_answer(alike[0].kind, alike)
            return Action("clarify", text=f"{told} Which one? Say, for example: {example}.")
        if "timer_id" in values:
            timer = next((t for t in self.timers.running(self.satellite) if t.id == values["timer_id"]), None)
        else:
            timer = self.timers.find(
                self.satellite, values.get("timer_name"), values.get("timer_seconds"), kind
            )
        return None if timer is None or timer.command else timer

    def _timer_replaced(self, resolution: Resolution, timer_id: int, seconds: int) -> Action:
        """The timer `timer_id` started again for `seconds`, with its name, command or reminder."""
        old = self.timers.cancel_id(timer_id)
        if old is None:
            return Action("answer", text="That timer has already finished.")
        at = resolution.values.get("at")  # a reminder moved to "6 pm" is said as at 6 pm
        repeat = (
            Repeat.from_dict(resolution.values["repeat"]) if resolution.values.get("repeat") else old.repeat
        )
        new = self.timers.start(
            self.satellite, seconds, old.name, old.command, reminder=old.reminder, repeat=repeat
        )
        self.ctx.set_just_started(self.satellite, JustStarted.of(new, at is not None))
        kept = {
            "seconds": seconds,
            "timer_name": old.name,
            "command": old.command,
            "reminder": old.reminder,
            "at": at,
            "tomorrow": resolution.values.get("tomorrow"),  # "at 6:00 PM tomorrow": gone today
            "day": resolution.values.get("day"),  # "on Tuesday": a repeating one's next
            "repeat": repeat.to_dict() if repeat else None,
        }
        again = dataclasses.replace(resolution, values={k: v for k, v in kept.items() if v})
        return self.stages.dispatch(again, self.ctx)

    def _cannot_do_later(self, command: str) -> str | None:
        """Why the delayed command `command` could not be done, or None: understood and resolved now."""
        nbest = self.stages.nlu.parse(command, NBEST)
        resolution = self.stages.resolve(nbest, self.ctx, self.satellite)
        if resolution.clarification:
            return resolution.clarification
        intent = resolution.interpretation.intent
        if resolution.values.get("out_of_domain") or "Timer" in intent:  # not "a timer in a timer"
            return f"I don't know how to {command}."
        return None

    def _timer_rang(self, timer: RunningTimer) -> None:
        if timer.command:  # "turn off the tv in ten minutes": now, as a turn of its own
            self._emit("timer", seconds=timer.seconds, command=timer.command)
            self.handle_text(timer.command, asked=False)
            return
        self._emit("timer", seconds=timer.seconds)
        with self._ring_lock:
            replaced = self._stop_ringing_locked()  # a new ring: the one before is over
            ring = self._ring
            self._last_rung = timer
            if timer.reminder and timer.name:
                self._reminder_rung = (timer, time.monotonic())
        if replaced:
            self._emit("ring_stopped")
        self._ring_again(ring_text(timer), self.ring_times, ring)

    def _ring_again(self, text: str, times: int, ring: int) -> None:
        with self._ring_lock:
            if ring != self._ring:  # stopped meanwhile
                return
            self._ring_next = None
            if times <= 1:  # the last ring: "stop" said next is still about it, as after one stopped
                self._ring_stopped_at = time.monotonic()
            else:
                self._ring_next = threading.Timer(
                    self.ring_every_s, self._ring_again, (text, times - 1, ring)
                )
                self._ring_next.daemon = True
                self._ring_next.start()
        self.announce(text)

    def stop_ringing(self) -> bool:
        """Stop a timer or alarm ringing here; whether one was. "stop", said next, is about it."""
        with self._ring_lock:
            stopped = self._stop_ringing_locked()
        if stopped:  # the event sink (a display) runs outside the lock: the audio thread calls this
            self._emit("ring_stopped")
        return stopped

    def _stop_ringing_locked(self) -> bool:
        self._ring += 1
        ringing, self._ring_next = self._ring_next, None
        if ringing is None:
            return False
        ringing.cancel()
        self._ring_stopped_at = time.monotonic()
        return True

    def announce(self, text: str) -> None:
        """Say `text` unasked (a timer rang, another room broadcast), where this satellite can speak."""
        self._emit("response", text=text, turn=None)
        if self.speaker is not None and self._has_speaker():
            self.speaker.say(text)

    def _record(self, turn: Turn) -> None:
        self.turns.append(turn)
        try:
            self.store.save_turn(turn)
        except Exception:  # a full disk must not silence the assistant; the uplink still has it
            log.exception("could not store turn %s", turn.id)
        try:
            self.bridge.send_turn(to_dict(turn))
        except Exception:
            log.exception("could not queue turn %s for upload", turn.id)
        self._emit("turn", id=turn.id, failure_point=turn.failure_point, timings=dict(turn.timings))

    def _respond(self, turn: Turn) -> None:
        text = turn.action.text if turn.action else ""
        if turn.result is not None and turn.result.status == "failure":
            text = "Sorry, that didn't work."  # the turn keeps what was meant and why it failed
        if text:
            self._emit("response", text=text, turn=turn.id)
        follow_up = (
            self.config.audio.follow_up_s > 0 and turn.action is not None and turn.action.kind != "none"
        )
        self._follow_up_pending = follow_up  # set before speaking: a short answer may end at once
        spoke = False
        if text and self.speaker is not None and self._has_speaker():
            self._speaking_turn = turn
            spoke = self.speaker.say(text, on_done=self._spoken)
        if follow_up and not spoke:
            self._open_follow_up_on_next_chunk = True

    def _has_speaker(self) -> bool:
        try:
            return self.config.satellite(self.satellite).speaker
        except StopIteration:
            return True  # an ad-hoc satellite (e.g. `--text` on a desktop): speak if we can

    def _spoken(self, interrupted: bool) -> None:
        self._open_follow_up_on_next_chunk = self._follow_up_pending and not interrupted

    # audio entry point ------------------------------------------------------------------------
    def new_stream(self) -> None:
        """A new audio source starts (its clock starts at 0 again): forget the old one's state."""
        with self._lock:
            if self._mode == "listening":
                self.finish()
            self._mode = "idle"
            self._preroll.clear()
            self._recent.clear()
            self._last_timestamp = -1.0
            reset = getattr(self.wake, "reset", None)
            if reset is not None:
                reset()  # its buffers and refractory clock belong to the old stream

    def process(self, chunk: AudioChunk) -> Turn | None:
        """Feed one chunk; returns the turn it completed, if any."""
        with self._lock:
            if chunk.timestamp < self._last_timestamp:
                self.new_stream()
            self._last_timestamp = chunk.timestamp
            self._recent.append(chunk)
            wakes = self.wake.process(chunk) if self.wake is not None else []
            if self.speaker is not None and self.speaker.speaking:
                voiced = self.barge_in_on_speech and self._voiced(chunk)
                if wakes or voiced:
                    self._barge_in("wake" if wakes else "speech", chunk, wakes[0] if wakes else None)
                    return None
            if self._open_follow_up_on_next_chunk:
                self._open_follow_up_on_next_chunk = False
                self._follow_up_pending = False
                self._follow_up_until = chunk.timestamp + self.config.audio.follow_up_s
                self._mode = "follow_up"
                self._emit("follow_up", seconds=self.config.audio.follow_up_s)
            if self._mode == "listening":
                return self._listen(chunk)
            if self._mode == "wake_tail":
                return self._skip_wake_tail(chunk)
            if wakes:
                self._woken(chunk, wakes[0])
            elif self._mode == "follow_up":
                if self._follow_up_until is not None and chunk.timestamp > self._follow_up_until:
                    self._mode = "idle"
                elif self._voiced(chunk):
                    self._start_listening(chunk, None, preroll=True)
                    return self._listen(chunk)
            self._preroll.append(chunk)
            return None

    def finish(self) -> Turn | None:
        """The source ended: close an utterance in progress as if its silence had come."""
        with self._lock:
            if self._mode == "wake_tail":
                return self._false_wake()  # the stream ended before any request
            if self._mode != "listening":
                return None
            if self.endpointer is not None:
                self.endpointer.flush()
            return self._end_utterance(0.0)

    def _voiced(self, chunk: AudioChunk) -> bool:
        return self.endpointer is not None and self.endpointer.is_speech(chunk)

    def _woken(self, chunk: AudioChunk, wake: Wake) -> None:
        """The wake word fired. The model fires before the word has quite ended, and a decoder
        given that tail hears garbage, so the request starts after it (see _skip_wake_tail)."""
        wake = Wake(wake.model, wake.score, wake.timestamp, self.satellite)
        self.stop_ringing()  # "alexa, stop"
        self._emit("wake", model=wake.model, score=round(float(wake.score), 3), t=wake.timestamp)
        self._hermes("hotword_detected", wake)
        self._utterance_wake = wake
        self._utterance_started_wall = time.time()
        if self.endpointer is None:
            self._start_listening(chunk, wake, preroll=False)
            return
        self._mode = "wake_tail"
        # did the word end before the model fired? (the VAD, idle until now, hears the audio before it)
        speech = self.endpointer.is_speech(chunk, context=list(self._recent)[:-1])
        self._tail = WakeTail.fired_in(chunk, speech)

    def _skip_wake_tail(self, chunk: AudioChunk) -> Turn | None:
        """Wait for the pause after the wake word, then for the request (runtime.audio.vad.WakeTail)."""
        first = self._tail.feed(chunk, self._voiced(chunk))
        if not first:
            return None
        self._start_listening(first[0], self._utterance_wake, preroll=False)
        # the quiet before the request (its unvoiced onset: no end before any speech), or, said in
        # one breath with no pause, what was said since the wake
        for earlier in first[:-1]:
            self._feed(earlier)
        return self._listen(chunk)

    def _start_listening(self, chunk: AudioChunk, wake: Wake | None, *, preroll: bool) -> None:
        self._mode = "listening"
        self._utterance_wake = wake
        self._utterance_start = chunk.timestamp
        if wake is None:
            self._utterance_started_wall = time.time()
        self._last_partial = ""
        self._early_checked = ""
        if self.endpointer is not None:
            self.endpointer.reset()
        if self.asr is not None:
            self.asr.start()
        if preroll:
            for old in self._preroll:
                self._feed(old)
        self._preroll.clear()

    def _feed(self, chunk: AudioChunk) -> bool:
        if self.asr is not None:
            partial = self.asr.accept(chunk)
            if partial is not None and partial.text and partial.text != self._last_partial:
                self._last_partial = partial.text
                self._emit("partial", text=partial.text)
        return self.endpointer.feed(chunk) if self.endpointer is not None else False

    def _listen(self, chunk: AudioChunk) -> Turn | None:
        ended = self._feed(chunk)
        end = chunk.timestamp + chunk.duration
        self._last_chunk_end = end
        too_long = end - self._utterance_start >= self.config.audio.max_utterance_s
        early = not (ended or too_long) and self._complete_early(end)
        if not (ended or too_long or early):
            return None
        if self.endpointer is None or not (ended or early):
            return self._end_utterance(0.0)  # cut at max_utterance_s: nobody waited for silence
        return self._end_utterance(max(0.0, end - self.endpointer.last_voiced), early=early)

    def _complete_early(self, end: float) -> bool:
        """Semantic endpointing: a short pause after what is already a complete, confident command
        ends the utterance without waiting out the full trailing silence."""
        if self.early_endpoint_ms <= 0 or self.endpointer is None or not self._last_partial:
            return False
        voiced = self.endpointer.voiced_until
        if voiced is None or (end - voiced) * 1000 + 1e-6 < self.early_endpoint_ms:  # 1e-6: float sums
            return False
        if self._early_checked == self._last_partial:
            return False  # this partial was judged incomplete already
        self._early_checked = self._last_partial
        nbest = self.stages.nlu.parse(self._last_partial, 1)
        complete = bool(nbest) and nbest[0].intent != "OutOfDomain" and nbest[0].score >= EARLY_MIN_SCORE
        if complete:
            self.endpointer.last_voiced = voiced
            self.endpointer.heard_speech = True
        return complete

    def _end_utterance(self, endpoint_wait: float, *, early: bool = False) -> Turn:
        self._mode = "idle"
        self._follow_up_until = None
        if self.endpointer is not None and not self.endpointer.heard_speech:
            return self._false_wake()
        t = time.perf_counter()
        self._emit("endpoint", wait=endpoint_wait, at=t)  # `at`: perf_counter, for latency benchmarks
        transcript = self.asr.final() if self.asr is not None else Transcript("", 0.0, rejected=True)
        out_of_grammar = transcript.reject_reason.startswith("out of grammar")  # a real rejection
        if early and transcript.rejected and self._last_partial and not out_of_grammar:
            # The decoder's final pass, cut short, can tack a word onto a command it had whole a
            # moment ago ("... temperature" -> "... temperature of"); the partial the NLU judged
            # complete is what was said. Keep the final as an alternative in the trace.
            transcript = Transcript(
                self._last_partial, EARLY_MIN_SCORE * 0.5, engine=f"{transcript.engine}:partial",
                alternatives=[Alternative(transcript.text, 0.0)],
                reject_reason=f"final rejected ({transcript.reject_reason}); the complete partial was used",
            )  # fmt: skip
        timings = {"endpoint_wait": endpoint_wait, "asr_final": time.perf_counter() - t}
        self._emit("transcript", text=transcript.text, confidence=round(float(transcript.confidence), 3),
                   rejected=transcript.rejected)  # fmt: skip
        self._hermes("text_captured", transcript, self._last_chunk_end - self._utterance_start)
        return self.handle_text(
            transcript.text,
            transcript=transcript,
            wake=self._utterance_wake,
            timings=timings,
            started=self._utterance_started_wall,
        )

    def _false_wake(self) -> Turn:
        """A wake word and then nobody spoke: recorded (the wake model's mistake), never answered."""
        self._mode = "idle"
        turn = Turn(
            device=self.config.home.device_id, satellite=self.satellite, started=self._utterance_started_wall
        )
        turn.wake = self._utterance_wake
        turn.transcript = Transcript("", 0.0, rejected=True, reject_reason="no speech after the wake word")
        turn.action = Action("none")
        turn.failure_point = "false_wake" if turn.wake is not None else "asr"
        self._emit("false_wake", wake=to_dict(turn.wake))
        self._record(turn)
        return turn

    # barge-in ---------------------------------------------------------------------------------
    def _barge_in(self, by: str, chunk: AudioChunk, wake: Wake | None) -> None:
        """The person spoke over the answer: stop talking, record it, and listen to them."""
        assert self.speaker is not None
        self.speaker.stop()
        self._follow_up_pending = False
        self._open_follow_up_on_next_chunk = False
        turn = self._speaking_turn
        if turn is not None:
            turn.barge_in = True
            try:
                self.store.save_turn(turn)
            except Exception:
                log.exception("could not store the barge-in on turn %s", turn.id)
            feedback = Feedback(
                "barge_in", turn.id, self.config.home.device_id,
                detail={"by": by, "satellite": self.satellite, "at": chunk.timestamp},
            )  # fmt: skip
            try:
                self.bridge.send_feedback(to_dict(feedback))
            except Exception:
                log.exception("could not queue barge-in feedback for %s", turn.id)
            self._emit("barge_in", turn=turn.id, by=by)
        self._speaking_turn = None
        if wake is not None:
            self._woken(chunk, wake)
        else:
            self._start_listening(chunk, None, preroll=True)
            self._listen(chunk)


REMIND_AGAIN_S = 10 * 60  # "remind me again later"
REMIND_AGAIN_WITHIN_S = 60 * 60  # "remind me again" said this long after a reminder rang is about it
SNOOZE_S = SNOOZE_MINUTES * 60  # "snooze", as an alarm's


def _rings_on(timer: RunningTimer, day: date) -> bool:
    """Whether `timer` rings on `day`: next, or again (it repeats on that weekday and is not set to
    skip it)."""
    rings = timer.rings_at().date()
    if rings == day:
        return True
    return bool(timer.repeat and rings < day and day.weekday() in timer.repeat.days and timer.skipping != day)


def _reminder(values: dict[str, Any]) -> str | None:
    """ "reminder" when a request on a timer said "my reminder" (only a reminder is meant), else None."""
    return "reminder" if values.get("timer_kind") == "reminder" else None


def _about_a_turn(turn: Turn) -> bool:
    """Whether `turn` asked about the turn before it ("why did you do that", "say that again")."""
    return turn.resolution is not None and bool({"explains", "repeats"} & turn.resolution.values.keys())


def _said_no_only(turn: Turn) -> bool:
    """Whether `turn` was a "no" that changed nothing: "why did you do that" is about the one before."""
    return (
        turn.resolution is not None
        and turn.resolution.interpretation.intent == "AmbientNegativeFeedback"
        and not (turn.action is not None and turn.action.commands)
    )


def _lap(turn: Turn, stage: str, since: float) -> float:
    now = time.perf_counter()
    turn.timings[stage] = now - since
    return now


def failure_point(turn: Turn) -> FailurePoint | None:
    """The first stage that visibly failed on this turn; None when nothing says it failed.

    A first, rule-based cut from the trace alone (feedback such as a later rephrase can still blame
    a turn that looks fine here).
    """
    if turn.transcript is None or turn.transcript.rejected or not turn.transcript.text.strip():
        return "asr"
    if turn.resolution is not None and turn.resolution.clarification:
        return "resolution"  # it had to ask: an unknown or ambiguous device, a missing value
    # the resolution's reading, when there is one: "wake me up at 7 every weekday" is out of domain for
    # the model and an alarm for the runtime's phrasings, which set it (it was blamed on the NLU)
    read = (
        turn.resolution.interpretation
        if turn.resolution is not None
        else turn.nbest[0]
        if turn.nbest
        else None
    )
    if read is None or read.intent == "OutOfDomain":
        return "nlu"
    if turn.resolution is not None and turn.resolution.values.get("out_of_domain"):
        return "nlu"  # the context's pick was out of domain or below the confidence to act
    if turn.result is not None and turn.result.status == "failure":
        return "result"
    if turn.result is not None and turn.result.status == "success":
        return "correct"
    if turn.action is not None and turn.action.kind == "answer":
        return "correct"
    return None  # a command whose echo never came: nothing says whether it worked


def explain(turn: Turn) -> str:
    """ "Why did you do that": what `turn` heard, what it took that for, and what it did, so a person
    can tell a misheard request from a misunderstood one."""
    heard = turn.transcript.text.strip() if turn.transcript is not None else ""
    if turn.transcript is None or turn.transcript.rejected or not heard:
        return "I didn't catch what you said before, so I did nothing."
    said = f'I heard "{heard}"'
    if turn.rewrite is not None and turn.rewrite.source != "split" and turn.rewrite.text != heard:
        said += f' and took it as "{turn.rewrite.text}"'
    did = turn.action.text if turn.action is not None else ""
    if turn.result is not None and turn.result.status == "failure":
        return f"{said}, but that didn't work: {turn.result.detail or 'the device did not answer'}."
    return f'{said}, and answered: "{did}"' if did else f"{said}, and did nothing with it."


# --- threads ---------------------------------------------------------------------------------------


class AudioLoop:
    """A capture thread filling a bounded queue and a processing thread draining it into a pipeline.

    Live sources (a microphone) must never block: when processing falls behind, the oldest chunk is
    dropped and counted (`overflows`). Finite sources (files, `--say`) set `lossless=True` and wait
    for room instead, so they can run faster than real time without losing audio.
    """

    def __init__(
        self,
        source: Iterable[AudioChunk],
        pipeline: Pipeline,
        *,
        lossless: bool = False,
        maxsize: int = 64,
    ) -> None:
        self.source, self.pipeline, self.lossless = source, pipeline, lossless
        self.queue: queue.Queue[AudioChunk | None] = queue.Queue(maxsize=maxsize)
        self.overflows = 0
        self.chunks = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._capture = threading.Thread(
            target=self._capture_loop, name=f"capture-{pipeline.satellite}", daemon=True
        )
        self._process = threading.Thread(
            target=self._process_loop, name=f"process-{pipeline.satellite}", daemon=True
        )

    def start(self) -> AudioLoop:
        self._capture.start()
        self._process.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._capture.is_alive() or self._process.is_alive()

    def join(self, timeout: float | None = None) -> bool:
        self._capture.join(timeout)
        self._process.join(timeout)
        return not self._process.is_alive()

    def _put(self, item: AudioChunk | None) -> None:
        if self.lossless or item is None:
            while not self._stop.is_set():
                try:
                    self.queue.put(item, timeout=0.1)
                    return
                except queue.Full:
                    if item is None:  # the end marker must get through: make room for it
                        self._drop_oldest()
            return
        try:
            self.queue.put_nowait(item)
        except queue.Full:
            self._drop_oldest()
            self.queue.put_nowait(item)

    def _drop_oldest(self) -> None:
        try:
            self.queue.get_nowait()
            self.overflows += 1
        except queue.Empty:
            pass

    def _capture_loop(self) -> None:
        try:
            for chunk in self.source:
                if self._stop.is_set():
                    break
                self._put(chunk)
        except BaseException as e:  # a device unplugged mid-stream: report it, end cleanly
            self.error = e
            log.error("audio source for %s failed: %s", self.pipeline.satellite, e)
        finally:
            self._put(None)

    def _process_loop(self) -> None:
        while True:
            try:
                chunk = self.queue.get(timeout=0.2)
            except queue.Empty:
                if self._stop.is_set():
                    break
                continue
            if chunk is None:
                self.pipeline.finish()
                break
            self.chunks += 1
            try:
                self.pipeline.process(chunk)
            except Exception:
                log.exception("turn processing failed on %s; listening on", self.pipeline.satellite)


def _all_paused(done: list[RunningTimer | None], pausing: bool) -> Action:
    """The answer to "pause all timers" (resumed: "resume all timers")."""
    changed = [t for t in done if t is not None]
    if not changed:
        return Action("answer", text=f"No timer is {'running' if pausing else 'paused'}.")
    return Action("answer", text=_paused_said(changed, pausing))


def _paused_said(done: list[RunningTimer], pausing: bool) -> str:
    """ "Both timers paused.", "All 3 timers resumed."; of one, which: a plain timer by its length."""
    verb = "paused" if pausing else "resumed"
    if len(done) == 1 and not done[0].name:  # which of two plain timers: the one of that length
        return f"Your {done[0].kind} for {duration_text(done[0].seconds)} is {verb}."
    if len(done) == 1:
        return timer_answer("HassPauseTimer" if pausing else "HassUnpauseTimer", {}, done[0])
    return f"{'Both' if len(done) == 2 else f'All {len(done)}'} {done[0].kind}s {verb}."


def _answer_chosen(
    turn: Turn,
    intent: str,
    chosen: list[RunningTimer],
    done: list[RunningTimer],
    why: str,
    said: str,
    **values: Any,
) -> bool:
    """`turn` answered with what `intent` did to the timers `chosen` (of those asked about): `said`
    of those `done`; of none chosen, that they stay; of none done, that it rang meanwhile."""
    interp = Interpretation(intent, 1.0, [], turn.text)
    turn.resolution = Resolution(interp, values={"timer_ids": [t.id for t in done], **values}, reasons=[why])
    if not chosen:
        said = "OK, they keep running." if intent == "HassCancelTimer" else "OK, they stay as they are."
    elif not done:  # it rang while the question was answered
        said = "That one has already finished."
    turn.action = Action("answer", text=said)
    return True


def _cancelled_said(cancelled: list[RunningTimer]) -> str:
    """ "Timer for 5 minutes cancelled.", "Both timers cancelled." ("" of none)."""
    if len(cancelled) == 1:
        return _one_cancelled(cancelled[0])
    count = "Both" if len(cancelled) == 2 else f"All {len(cancelled)}"
    return f"{count} {cancelled[0].kind}s cancelled." if cancelled else ""


def _one_cancelled(timer: RunningTimer) -> str:
    """What is said of one timer of several cancelled: a plain timer by its length (which of two)."""
    if timer.kind == "timer" and not timer.name:
        return f"Timer for {duration_text(timer.seconds)} cancelled."
    return timer_answer("HassCancelTimer", {}, timer)


def _first_both_ways(text: str, timers: list[RunningTimer]) -> RunningTimer | None:
    """ "cancel the first one" (the second, the last) of `timers` (soonest first) with none listed
    just before: the one that is so counted both by when it was set and by when it rings; None when
    the two counts differ (which was meant is then asked) or no ordinal was said."""
    said = TIMER_ORDINAL.search(normalize(text))
    k = by_ordinal(said["k"], timers) if said is not None else None
    if k is None:
        return None
    by_setting = sorted(timers, key=lambda t: t.id)  # ids count up as timers are set
    return timers[k] if timers[k] is by_setting[k] else None
