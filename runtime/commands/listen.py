"""`ambient listen`: wake word -> endpointing -> ASR, printing one JSON line per event.

Audio comes from the microphone by default, or `--wav FILE`, `--say TEXT`, `--stdin` (raw s16le
16 kHz mono PCM). `--no-wake` transcribes every utterance without waiting for a wake word.
"""

from __future__ import annotations

import argparse
import json
import sys

HELP = "listen for the wake word and transcribe what follows (JSON lines: wake, partial, final)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--wav", metavar="FILE", help="read a WAV file instead of the microphone")
    src.add_argument("--say", metavar="TEXT", help="speak TEXT with espeak-ng instead of the microphone")
    src.add_argument("--stdin", action="store_true", help="read raw s16le 16 kHz mono PCM from stdin")
    parser.add_argument("--device", help="microphone (sounddevice index or name)")
    parser.add_argument("--voice", default="en-us", help="espeak-ng voice for --say")
    parser.add_argument("--config", help="devices.yaml (default: ./devices.yaml, else the example)")
    parser.add_argument("--no-wake", action="store_true", help="push-to-talk: no wake word needed")
    parser.add_argument("--vad", choices=["silero", "webrtc"], help="VAD (default: audio.vad in the config)")
    parser.add_argument("--no-partials", action="store_true", help="print only wake and final events")


def run(args: argparse.Namespace) -> int:
    from collections.abc import Iterable

    from runtime.asr import AsrUnavailable, create_engine
    from runtime.audio.listener import Heard, Listener
    from runtime.audio.sources import AudioSourceError, mic_source, pcm_source, say_source, wav_source
    from runtime.audio.vad import Endpointer, create_vad
    from runtime.config import load_config
    from runtime.events import AudioChunk, Partial, Wake, to_dict
    from runtime.wake import WakeModelError, from_config

    config = load_config(args.config)
    try:
        chunks: Iterable[AudioChunk]
        if args.wav:
            chunks = wav_source(args.wav)
        elif args.say is not None:
            chunks = say_source(args.say, voice=args.voice)
        elif args.stdin:
            chunks = pcm_source(sys.stdin.buffer)
        else:
            device = int(args.device) if args.device and args.device.isdigit() else args.device
            chunks = mic_source(device)
        wake = None if args.no_wake else from_config(config)
        asr = create_engine(config)
        endpointer = Endpointer(
            create_vad(args.vad or config.audio.vad),
            trailing_silence_ms=config.audio.trailing_silence_ms,
            max_utterance_s=config.audio.max_utterance_s,
        )
        listener = Listener(asr, endpointer, wake)
        for event in listener.run(chunks):
            if isinstance(event, Wake):
                out = {"type": "wake", "model": event.model, "score": round(event.score, 4),
                       "time": round(event.timestamp, 3)}  # fmt: skip
            elif isinstance(event, Partial):
                if args.no_partials:
                    continue
                out = {"type": "partial", "text": event.text, "time": round(event.timestamp, 3)}
            elif isinstance(event, Heard):
                out = {"type": "final", **to_dict(event.transcript), "start": round(event.start, 3),
                       "end": round(event.end, 3), "reason": event.reason,
                       "last_voiced": None if event.last_voiced is None else round(event.last_voiced, 3)}  # fmt: skip
            print(json.dumps(out), flush=True)
    except (AudioSourceError, AsrUnavailable, WakeModelError) as e:
        print(f"ambient listen: {e}", file=sys.stderr)
        return 2
    return 0
