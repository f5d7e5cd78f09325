"""The small typed objects that flow through one turn, one dataclass per concept.

Every stage takes one of these and returns another, so each stage can be run on its own and a
turn can be recorded, replayed and sent upstream as plain JSON (see `to_dict`).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

SAMPLE_RATE = 16000
FRAME_SAMPLES = 1280  # 80 ms at 16 kHz: openWakeWord's native frame


@dataclass(frozen=True)
class AudioChunk:
    """16 kHz mono int16 samples; `timestamp` is seconds since the source started."""

    samples: np.ndarray
    timestamp: float
    sample_rate: int = SAMPLE_RATE

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass(frozen=True)
class Wake:
    model: str
    score: float
    timestamp: float
    satellite: str | None = None


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    confidence: float


@dataclass(frozen=True)
class Alternative:
    text: str
    confidence: float


@dataclass(frozen=True)
class Partial:
    """Text recognised so far; may still change."""

    text: str
    timestamp: float = 0.0


@dataclass(frozen=True)
class Transcript:
    """A final ASR result. `rejected` is set when the speech was judged out of grammar."""

    text: str
    confidence: float
    words: list[Word] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    engine: str = ""
    rejected: bool = False
    reject_reason: str = ""


# taught: "when I say X I mean Y"; split: one of several commands said together
RewriteSource = Literal["personal", "global", "online", "taught", "split", "corrected"]


@dataclass(frozen=True)
class Rewrite:
    original: str
    text: str
    source: RewriteSource
    score: float = 1.0


@dataclass(frozen=True)
class Slot:
    name: str
    value: str  # the text as heard, e.g. "kitchen light"
    start: int = -1  # word span in the NLU input, -1 when unknown
    end: int = -1


@dataclass(frozen=True)
class Interpretation:
    """One NLU hypothesis. Intent names follow Home Assistant's (HassTurnOn, ...)."""

    intent: str
    score: float
    slots: list[Slot] = field(default_factory=list)
    text: str = ""

    def slot(self, name: str) -> str | None:
        for s in self.slots:
            if s.name == name:
                return s.value
        return None


@dataclass(frozen=True)
class Resolution:
    """An interpretation bound to entities of devices.yaml, or a question back to the person."""

    interpretation: Interpretation
    device_ids: list[str] = field(default_factory=list)
    area: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # brightness, temperature, media title, ...
    clarification: str | None = None  # set when the request cannot be resolved safely
    reasons: list[str] = field(default_factory=list)  # why the context chose what it chose


ActionKind = Literal["command", "answer", "clarify", "none"]


@dataclass(frozen=True)
class Command:
    """One MQTT message for one device, in that device's convention."""

    device_id: str
    topic: str
    payload: str
    expect: dict[str, Any] = field(default_factory=dict)  # state fields that confirm it


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    commands: list[Command] = field(default_factory=list)
    text: str = ""  # what the assistant says or prints


ResultStatus = Literal["success", "failure", "unknown"]


@dataclass(frozen=True)
class ActionResult:
    status: ResultStatus
    detail: str = ""


FeedbackKind = Literal["barge_in", "rephrase", "explicit_negative", "teach"]


@dataclass(frozen=True)
class Feedback:
    kind: FeedbackKind
    turn_id: str
    device: str
    timestamp: float = field(default_factory=time.time)
    detail: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True)
class Announcement:
    """ "tell everyone dinner is ready", sent to the other hubs on the broker: said on their
    satellites in `rooms` (room ids), or on all of them when None."""

    device: str  # the hub it was said to
    room: str  # the room it was said in, by name: "From the kitchen: ..."
    message: str
    rooms: tuple[str, ...] | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


FailurePoint = Literal["false_wake", "asr", "nlu", "resolution", "result", "correct"]


@dataclass
class Turn:
    """One request end to end with the trace of every stage; what the store and uplink record."""

    device: str
    satellite: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.time)
    wake: Wake | None = None
    transcript: Transcript | None = None
    rewrite: Rewrite | None = None
    nbest: list[Interpretation] = field(default_factory=list)
    resolution: Resolution | None = None
    action: Action | None = None
    result: ActionResult | None = None
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    barge_in: bool = False
    failure_point: FailurePoint | None = None

    @property
    def text(self) -> str:
        """The text the NLU saw: the rewrite if one applied, else the transcript."""
        if self.rewrite is not None:
            return self.rewrite.text
        return self.transcript.text if self.transcript else ""


def to_dict(obj: Any) -> Any:
    """JSON-ready form of any event (numpy arrays become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, list | tuple):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj
