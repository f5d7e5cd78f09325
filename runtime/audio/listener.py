"""The audio front end as one loop: wake word -> endpointing -> ASR, over any chunk source.

`Listener.run(chunks)` yields events as they happen: `Wake`, `Partial` and, per utterance, a
`Heard` (the final `Transcript` with the utterance's timing). With `wake=None` it works
push-to-talk style: every utterance is transcribed, no wake word needed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from runtime.asr.base import AsrEngine
from runtime.audio.vad import WAKE_CONTEXT_S, Endpointer, Utterance, WakeTail
from runtime.events import FRAME_SAMPLES, SAMPLE_RATE, AudioChunk, Partial, Transcript, Wake
from runtime.wake import WakeDetector


@dataclass(frozen=True)
class Heard:
    transcript: Transcript
    wake: Wake | None
    start: float  # source time the utterance began
    end: float  # source time it was closed
    last_voiced: float | None  # source time the speech ended (latency is measured from here)
    reason: str  # why it ended: silence, max_length, no_speech, end_of_stream


Event = Wake | Partial | Heard


class Listener:
    def __init__(self, asr: AsrEngine, endpointer: Endpointer, wake: WakeDetector | None = None) -> None:
        self.asr = asr
        self.endpointer = endpointer
        self.wake = wake

    def run(self, chunks: Iterable[AudioChunk]) -> Iterator[Event]:
        current: Wake | None = None
        listening = False
        tail: WakeTail | None = None  # after a wake word, until its request begins
        # the audio the VAD hears before judging the chunk a wake word fires in
        before: deque[AudioChunk] = deque(maxlen=round(WAKE_CONTEXT_S * SAMPLE_RATE / FRAME_SAMPLES))
        end = 0.0
        for chunk in chunks:
            end = chunk.timestamp + chunk.duration
            heard_chunks = [chunk]
            if not listening:
                if tail is not None:
                    heard_chunks = tail.feed(chunk, self.endpointer.hears_speech(chunk))
                    if not heard_chunks:
                        continue
                    tail = None
                elif self.wake is not None:
                    wakes = self.wake.process(chunk)
                    if not wakes:
                        before.append(chunk)
                        continue
                    current = max(wakes, key=lambda w: w.score)
                    yield from wakes
                    # the wake word's own end is not the command; it may have ended before the model fired
                    tail = WakeTail.fired_in(chunk, self.endpointer.hears_speech(chunk, list(before)))
                    before.clear()
                    continue
                self.endpointer.begin(heard_chunks[0].timestamp)
                self.asr.start()
                listening = True
            for c in heard_chunks:
                partial = self.asr.accept(c)
                if partial is not None:
                    yield partial
                utterance = self.endpointer.process(c)
                if utterance is not None:
                    listening = False
                    heard = self._heard(utterance, current)
                    if heard is not None:
                        yield heard
                    current = None
                    if self.wake is not None:
                        self.wake.reset()  # the command's own audio must not trigger a wake
                    break
        if listening:
            utterance = self.endpointer.finish()
            heard = self._heard(utterance, current) if utterance is not None else None
            if heard is not None:
                yield heard
        elif tail is not None:  # the stream ended before the request began
            nothing = Transcript("", 0.0, rejected=True, reject_reason="no speech after the wake word")
            yield Heard(nothing, current, end, end, None, "end_of_stream")

    def _heard(self, utterance: Utterance, wake: Wake | None) -> Heard | None:
        if utterance.last_voiced is None:
            self.asr.final()  # close the decoder's utterance; there was nothing to hear
            if self.wake is None:
                return None  # push-to-talk: silence between utterances is not an event
            transcript = Transcript("", 0.0, rejected=True, reject_reason="no speech after the wake word")
        else:
            transcript = self.asr.final()
        return Heard(
            transcript, wake, utterance.start, utterance.end, utterance.last_voiced, utterance.reason
        )
