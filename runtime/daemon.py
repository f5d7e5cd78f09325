"""The device process: models, bridge, store and one pipeline per satellite, wired and run.

`Runtime` is what `ambient run` (a Raspberry Pi or a hub) and `ambient demo` (a desktop) both start:

    config -> ContextStore -> Bridge (MQTT: state in, commands out, outbox up)
           -> Store (SQLite turns)   -> Stages (wake, VAD, ASR, NLU, resolve, dispatch; loaded once)
           -> Pipeline per satellite (own wake buffers, endpointer, ASR decoder, speaker; shared rest)

It also owns the daemon's chores: a periodic health snapshot (retained JSON on
`<prefix>/<device>/health`, next to the `online`/`offline` status), reloading devices.yaml on SIGHUP
(a bad file keeps the old config), and a clean stop (outbox flushed, status `offline`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import resource
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from runtime.config import Config, ConfigError, load_config
from runtime.context import ContextStore
from runtime.events import Announcement, AudioChunk, Interpretation, Resolution
from runtime.pipeline import AudioLoop, EventSink, Pipeline, Stages
from runtime.rewrite.cache import RewriteCache
from runtime.speech import AudioSink, Speaker
from runtime.store import Store

log = logging.getLogger(__name__)


def default_data_dir() -> Path:
    """$AMBIENT_DATA, else $XDG_DATA_HOME/ambient (~/.local/share/ambient); systemd sets StateDirectory."""
    if os.environ.get("AMBIENT_DATA"):
        return Path(os.environ["AMBIENT_DATA"])
    if os.environ.get("STATE_DIRECTORY"):  # systemd's StateDirectory=ambient
        return Path(os.environ["STATE_DIRECTORY"])
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ambient"


# --- stages ----------------------------------------------------------------------------------------


def load_stages(config: Config, *, audio: bool = True) -> Stages:
    """The real stages. Models load here, once; audio stages only when audio will be heard."""
    from runtime.dispatch import dispatch
    from runtime.nlu.model import NluModel
    from runtime.resolve import interpret

    nlu = NluModel.from_config(config)

    def resolve_nbest(nbest: list[Interpretation], ctx: ContextStore, satellite: str) -> Resolution:
        # interpret(): the context re-ranks the n-best (runtime/rank.py), then the best is resolved
        return interpret(nbest, ctx, _satellite(ctx.config, satellite))[1]

    stages = Stages(nlu=nlu, resolve=resolve_nbest, dispatch=dispatch)
    if audio:
        from runtime import wake
        from runtime.audio.vad import Endpointer, create_vad

        create_engine = _asr_factory()

        stages.wake = lambda satellite: wake.from_config(config, satellite)
        stages.asr = lambda satellite: create_engine(config)
        stages.endpointer = lambda satellite: EndpointerAdapter(
            Endpointer(
                create_vad(config.audio.vad),
                trailing_silence_ms=config.audio.trailing_silence_ms,
                max_utterance_s=config.audio.max_utterance_s,
            )
        )
    return stages


def _asr_factory() -> Callable[[Config], Any]:
    """runtime.asr.create_engine (engine by config.asr.engine), else the pocketsphinx engine."""
    import runtime.asr

    factory = getattr(runtime.asr, "create_engine", None)
    if factory is not None:
        return factory
    from runtime.asr.sphinx import PocketsphinxEngine

    return PocketsphinxEngine


def _satellite(config: Config, satellite_id: str) -> Any:
    from runtime.config import Satellite

    try:
        return config.satellite(satellite_id)
    except StopIteration:  # an ad-hoc satellite: the first room of the home
        return Satellite(satellite_id, config.rooms[0].id if config.rooms else "")


class EndpointerAdapter:
    """runtime.audio.vad's Endpointer as the pipeline's `Endpointer` seam."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.last_voiced = 0.0
        self.heard_speech = False
        self._fresh = True

    def reset(self) -> None:
        self._fresh = True  # begin() at the next chunk, with its timestamp

    def feed(self, chunk: AudioChunk) -> bool:
        if self._fresh:
            self.inner.begin(chunk.timestamp)
            self._fresh = False
        utterance = self.inner.process(chunk)
        if utterance is None:
            return False
        self.heard_speech = utterance.last_voiced is not None
        self.last_voiced = utterance.last_voiced if utterance.last_voiced is not None else utterance.end
        return True

    @property
    def voiced_until(self) -> float | None:
        return self.inner.voiced_until

    def is_speech(self, chunk: AudioChunk, context: Sequence[AudioChunk] = ()) -> bool:
        return self.inner.hears_speech(chunk, context)

    def flush(self) -> None:
        utterance = self.inner.finish()
        if utterance is not None:
            self.heard_speech = utterance.last_voiced is not None
            self.last_voiced = utterance.last_voiced if utterance.last_voiced is not None else utterance.end


# --- audio sources -----------------------------------------------------------------------------------


def paced(source: Iterable[AudioChunk]) -> Iterator[AudioChunk]:
    """Hand out chunks no faster than real time (a file standing in for a live stream)."""
    t0 = time.monotonic()
    first: float | None = None
    for chunk in source:
        first = chunk.timestamp if first is None else first
        ahead = t0 + (chunk.timestamp - first) - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        yield chunk


def chunks(samples: Any, *, realtime: bool = False) -> Iterator[AudioChunk]:
    """16 kHz int16 samples as 80 ms chunks (the last one zero-padded)."""
    from runtime.audio.sources import chunk_samples

    source = chunk_samples(samples)
    return paced(source) if realtime else source


def _primed(source: Iterator[AudioChunk]) -> Iterator[AudioChunk]:
    """Pull the first chunk now, so a missing device fails here and not in a thread later."""
    first = next(source)

    def rest() -> Iterator[AudioChunk]:
        yield first
        yield from source

    return rest()


def open_source(spec: str, *, realtime: bool = False) -> tuple[Iterable[AudioChunk], bool]:
    """`mic`, `-` (raw PCM on stdin), a .wav file, or a raw PCM file/FIFO -> (chunks, lossless).

    Raises runtime.audio.sources.AudioSourceError (with what to install or do instead) or
    FileNotFoundError.
    """
    import stat
    import sys

    from runtime.audio.sources import mic_source, pcm_source

    if spec == "mic":
        return _primed(mic_source()), False
    if spec == "-":
        return pcm_source(sys.stdin.buffer), True
    path = Path(spec)
    if not path.exists():
        raise FileNotFoundError(f"audio source not found: {spec}")
    if path.suffix.lower() == ".wav":
        from runtime.audio.sources import wav_source

        source: Iterable[AudioChunk] = wav_source(path)
        return (paced(source) if realtime else source), True
    is_fifo = stat.S_ISFIFO(path.stat().st_mode)
    source = pcm_source(path.open("rb", buffering=0))
    return (paced(source) if realtime and not is_fifo else source), True


# --- the runtime -------------------------------------------------------------------------------------


class Runtime:
    """Everything one device process runs; `start()` / `stop()`; one pipeline per satellite."""

    def __init__(
        self,
        config: Config,
        *,
        data_dir: Path | None = None,
        stages: Stages | None = None,
        audio: bool = True,
        on_event: EventSink | None = None,
        sink_factory: Callable[[], AudioSink] | None | str = "default",
        barge_in_on_speech: bool = True,
        satellites: list[str] | None = None,
    ) -> None:
        from mqtt_bridge import Bridge

        self.config = config
        self.data_dir = data_dir or default_data_dir()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.data_dir / "turns.db")
        self.ctx = ContextStore(config, memory=self.store)  # what people taught survives a restart
        self.bridge = Bridge(config, self.ctx, outbox_path=self.data_dir / "outbox.db")
        self.stages = stages or load_stages(config, audio=audio)
        rewrites = getattr(self.bridge, "rewrites", None)
        self.rewriter = RewriteCache(rewrites, self.store)
        if sink_factory == "default":
            from runtime.speech import default_sink

            sink_factory = default_sink()
        self.sink_factory = sink_factory if not isinstance(sink_factory, str) else None
        self.on_event = on_event
        ids = satellites or [s.id for s in config.satellites] or [config.home.device_id]
        self.pipelines: dict[str, Pipeline] = {
            sat: Pipeline(
                config, sat, self.stages, self.ctx, self.store, self.bridge, self.rewriter,
                speaker=Speaker(self.sink_factory) if self.sink_factory is not None else None,
                on_event=on_event, barge_in_on_speech=barge_in_on_speech,
            )
            for sat in ids
        }  # fmt: skip
        for pipeline in self.pipelines.values():
            pipeline.on_broadcast = self._broadcast
        if (announcer := getattr(self.bridge, "announcer", None)) is not None:
            announcer.on_heard = self._announced  # "tell everyone ..." said to another hub
            announcer.on_rooms = self.ctx.set_hub_rooms  # "tell the garage ...": another hub's room
        self.loops: list[AudioLoop] = []
        self.started = time.time()
        self._cpu0 = time.process_time()
        self._stop = threading.Event()
        self._health_thread: threading.Thread | None = None
        self.reloads = 0

    def _broadcast(self, satellite: str, message: str, to: list[str], rooms: tuple[str, ...] | None) -> None:
        """ "tell everyone dinner is ready", said on `satellite`: "From the kitchen: dinner is ready." on
        each of `to` this runtime runs, and on the other hubs' satellites in `rooms` (None: all)."""
        try:
            room = self.config.room(self.config.satellite(satellite).room).name
        except StopIteration:
            room = satellite
        for other in to:
            if other in self.pipelines:
                self.pipelines[other].announce(f"From the {room}: {message}.")
        if (announcer := getattr(self.bridge, "announcer", None)) is not None:
            announcer.send(Announcement(self.config.home.device_id, room, message, rooms))

    def _announced(self, announcement: Announcement) -> None:
        """Another hub's "tell everyone ...": said on this hub's satellites in its rooms."""
        for satellite_id, pipeline in self.pipelines.items():
            room = next((s.room for s in self.config.satellites if s.id == satellite_id), None)
            if announcement.rooms is None or room in announcement.rooms:
                pipeline.announce(f"From the {announcement.room}: {announcement.message}.")

    # lifecycle ------------------------------------------------------------------------------------
    def start(self, *, connect_timeout: float = 10.0, health_interval: float = 30.0) -> Runtime:
        client = self.bridge.client
        bridge_health = client.health
        client.health = lambda: {**bridge_health(), **self.health()}  # one retained health JSON
        if not self.bridge.start(wait_s=connect_timeout):
            log.warning(
                "MQTT broker %s:%s not reachable yet; turns are kept in the outbox until it is",
                self.config.mqtt.host, self.config.mqtt.port,
            )  # fmt: skip
        if health_interval > 0:
            self._health_thread = threading.Thread(
                target=self._health_loop, args=(health_interval,), name="health", daemon=True
            )
            self._health_thread.start()
        return self

    def attach(self, satellite: str, source: Iterable[AudioChunk], *, lossless: bool) -> AudioLoop:
        """Start listening to `source` as `satellite` (capture + processing threads)."""
        if satellite not in self.pipelines:
            known = ", ".join(self.pipelines)
            raise ConfigError(
                self.config.path, 0, "satellites", f"unknown satellite '{satellite}' (known: {known})"
            )
        loop = AudioLoop(source, self.pipelines[satellite], lossless=lossless).start()
        self.loops.append(loop)
        return loop

    def stop(self) -> None:
        """Stop listening, finish speaking, flush the outbox, publish `offline`."""
        self._stop.set()
        for loop in self.loops:
            loop.stop()
        for loop in self.loops:
            loop.join(5)
        for p in self.pipelines.values():
            if p.speaker is not None:
                p.speaker.stop()
        try:
            self.bridge.stop()
        finally:
            self.store.close()

    def wait(self) -> None:
        """Block until every audio source has ended (or stop() was called)."""
        while not self._stop.is_set() and any(loop.running for loop in self.loops):
            self._stop.wait(0.2)

    # chores ---------------------------------------------------------------------------------------
    def reload(self, path: str | Path | None = None) -> bool:
        """Re-read devices.yaml; a bad file keeps the running config (and says where it is wrong)."""
        try:
            new = load_config(path or self.config.path)
        except ConfigError as e:
            log.error("reload failed, keeping the old config: %s", e)
            return False
        self.config = new
        self.ctx.config = new  # the registry and resolution see new devices from the next turn
        for p in self.pipelines.values():
            p.config = new
        reload_bridge = getattr(self.bridge, "reload", None)
        if reload_bridge is not None:
            reload_bridge(new)  # resubscribe state topics of added devices
        self.reloads += 1
        log.info("reloaded %s: %d devices, %d satellites", new.path, len(new.devices), len(new.satellites))
        return True

    def health(self) -> dict[str, Any]:
        """What the periodic health line reports."""
        uptime = time.time() - self.started
        cpu = time.process_time() - self._cpu0
        return {
            "uptime_s": round(uptime, 1),
            "turns": sum(len(p.turns) for p in self.pipelines.values()),
            "satellites": list(self.pipelines),
            "audio_overflows": sum(loop.overflows for loop in self.loops),
            "rss_mb": round(peak_rss_mb(), 1),
            "cpu_percent": round(100 * cpu / uptime, 1) if uptime > 0 else 0.0,
            "reloads": self.reloads,
        }

    def _health_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            snapshot = self.health()
            log.info("health %s", json.dumps(snapshot))
            publish = self.bridge.client.publish_health
            try:
                publish()
            except Exception:
                log.exception("could not publish health")


def peak_rss_mb() -> float:
    """Peak resident set size of this process (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def with_broker(config: Config, host: str, port: int) -> Config:
    """The same config pointed at another broker (the demo's own)."""
    return dataclasses.replace(config, mqtt=dataclasses.replace(config.mqtt, host=host, port=port))


class JsonFormatter(logging.Formatter):
    """One JSON object per log line (`ambient run --log-json`), for journald and log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)
