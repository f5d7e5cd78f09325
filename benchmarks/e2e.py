"""End-to-end benchmark: end of speech -> MQTT command published, per stage; RSS and idle CPU of `ambient run`.

    .venv/bin/python benchmarks/e2e.py            # full: 120 spoken commands + 60 s idle run
    .venv/bin/python benchmarks/e2e.py --quick    # 20 commands + 15 s idle

Latency: spoken commands (espeak-ng, several voices and speeds, wake word included) are fed through
the real pipeline faster than real time; the trailing silence the endpointer waits for is counted in
audio time (`endpoint_wait`, from the last voiced frame). The command's arrival is taken by an
independent paho subscriber on the same mosquitto, in the same process (one clock). Stages:
endpoint_wait, asr_final, rewrite, nlu, resolve, dispatch, publish (dispatch done -> command seen on
the broker). Totals with and without the endpoint wait.

Process: `ambient run` on a raw PCM stream of quiet noise, paced in real time, for --idle-seconds:
process CPU time over wall time while idle listening, and its peak RSS (VmHWM, start-up included).

Writes benchmarks/out/e2e.json and benchmarks/out/e2e.png.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.audio.sources import silence_padded  # noqa: E402
from runtime.audio.tts import synthesize  # noqa: E402
from runtime.broker import start_mosquitto  # noqa: E402
from runtime.config import Config, load_config  # noqa: E402
from runtime.daemon import Runtime, chunks, with_broker  # noqa: E402
from runtime.simulator import DeviceSimulator  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
STAGES = ["endpoint_wait", "asr_final", "rewrite", "nlu", "resolve", "dispatch", "publish"]
VOICES = ["en-us", "en-gb", "en-us+f3", "en-us+m3"]
SPEEDS = [140, 165, 190]
TARGETS = {"p50_incl_endpoint_ms": 400, "p50_excl_endpoint_ms": 150, "rss_mb": 350, "idle_cpu_percent": 15}


def commands(config: Config) -> list[tuple[str, str, str]]:
    """(satellite, sentence, device_id): on/off requests for switchable devices, from their room."""
    sat_for_room = {s.room: s.id for s in config.satellites}
    out = []
    for d in config.devices:
        if d.type not in ("light", "switch", "fan") or not d.command_topic:
            continue
        sat = sat_for_room.get(d.room, config.satellites[0].id)
        for verb in ("on", "off"):
            out.append((sat, f"alexa, turn {verb} the {d.name}", d.id))
    return out


def outcome(row: dict[str, Any]) -> str:
    """Which stage a spoken command was lost at (the misses are what to fix next)."""
    if row["ok"]:
        return "ok"
    if "heard" not in row:
        return "wake missed (no turn)"
    if not row["heard"]:
        return "asr rejected"
    if row["heard"] != row["sentence"].removeprefix("alexa, "):
        return "asr wrong words"
    return "right words, wrong or unconfirmed action"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def measure_latency(
    config: Config, n: int, host: str, port: int, data: Path, trailing_ms: int
) -> dict[str, Any]:
    cfg = with_broker(config, host, port)
    audio = dataclasses.replace(cfg.audio, follow_up_s=0.0, trailing_silence_ms=trailing_ms)
    cfg = dataclasses.replace(cfg, audio=audio)
    sim = DeviceSimulator(cfg, host, port).start()
    arrivals: queue.Queue[tuple[str, float]] = queue.Queue()
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    topics = {d.command_topic for d in cfg.devices if d.command_topic}
    sub.on_message = lambda _c, _u, m: arrivals.put((m.topic, time.perf_counter()))
    sub.connect(host, port)
    for t in topics:
        sub.subscribe(t, qos=1)
    sub.loop_start()
    marks: dict[str, float] = {}

    def on_event(kind: str, satellite: str, d: dict[str, Any]) -> None:
        if kind in ("endpoint", "action"):
            marks[kind] = d["at"]

    print("loading models ...", file=sys.stderr)
    rt = Runtime(cfg, data_dir=data, sink_factory=None, on_event=on_event).start(health_interval=0)
    time.sleep(1.0)  # retained states in
    plan = commands(cfg)
    rows: list[dict[str, Any]] = []
    misses = 0
    for i in tqdm(range(n), desc=f"spoken commands, {trailing_ms} ms trailing silence", unit="cmd"):
        sat, sentence, device_id = plan[i % len(plan)]
        voice, speed = VOICES[i % len(VOICES)], SPEEDS[(i // len(VOICES)) % len(SPEEDS)]
        audio = silence_padded(synthesize(sentence, voice=voice, speed=speed), 0.5, 1.5)
        pipeline = rt.pipelines[sat]
        while not arrivals.empty():
            arrivals.get_nowait()
        marks.clear()
        before = len(pipeline.turns)
        for chunk in chunks(audio):
            pipeline.process(chunk)
        pipeline.finish()
        turn = pipeline.turns[-1] if len(pipeline.turns) > before else None
        row: dict[str, Any] = {"sentence": sentence, "voice": voice, "speed": speed, "ok": False}
        if turn is not None:
            row["heard"] = turn.transcript.text if turn.transcript else ""
            row["device_ids"] = turn.resolution.device_ids if turn.resolution else []
            row["ok"] = device_id in row["device_ids"] and bool(
                turn.result and turn.result.status == "success"
            )
        try:
            topic, arrived = arrivals.get(timeout=0.5 if turn is None else 3)
        except queue.Empty:
            topic, arrived = "", 0.0
        row["topic"] = topic  # the first command seen: the one to time
        if turn is None or not arrived or "endpoint" not in marks or "action" not in marks:
            misses += 1
            rows.append(row)
            continue
        timings = turn.timings
        stage = {k: timings.get(k, 0.0) for k in STAGES[:-1]}
        stage["publish"] = max(0.0, arrived - marks["action"])
        excl = arrived - marks["endpoint"]
        row.update({f"{k}_ms": v * 1000 for k, v in stage.items()})
        row["excl_endpoint_ms"] = excl * 1000
        row["incl_endpoint_ms"] = (excl + stage["endpoint_wait"]) * 1000
        rows.append(row)
    rt.stop()
    sim.stop()
    sub.loop_stop()
    sub.disconnect()
    timed = [r for r in rows if "excl_endpoint_ms" in r]
    summary: dict[str, Any] = {
        "commands": n,
        "timed": len(timed),
        "no_command_published": misses,
        "correct_device_confirmed": sum(r["ok"] for r in rows),
        "outcomes": dict(Counter(outcome(r) for r in rows)),
        "stages_ms": {
            k: {
                "p50": percentile([r[f"{k}_ms"] for r in timed], 50),
                "p95": percentile([r[f"{k}_ms"] for r in timed], 95),
            }
            for k in STAGES
        },
        "incl_endpoint_ms": {
            "p50": percentile([r["incl_endpoint_ms"] for r in timed], 50),
            "p95": percentile([r["incl_endpoint_ms"] for r in timed], 95),
        },
        "excl_endpoint_ms": {
            "p50": percentile([r["excl_endpoint_ms"] for r in timed], 50),
            "p95": percentile([r["excl_endpoint_ms"] for r in timed], 95),
        },
        "trailing_silence_ms": trailing_ms,
    }
    return {"summary": summary, "rows": rows}


def measure_process(config_path: Path, seconds: float, host: str, port: int, data: Path) -> dict[str, Any]:
    """`ambient run` on real-time quiet noise: idle CPU and peak RSS."""
    import psutil

    text = config_path.read_text()
    text = text.replace("port: 1883", f"port: {port}").replace("models/nlu/", f"{ROOT}/models/nlu/")
    cfg_file = data / "devices.yaml"
    cfg_file.write_text(text)
    rng = np.random.default_rng(0)
    total = seconds + 30  # enough stream for start-up plus the measured window
    noise = (rng.normal(0, 60, int(total * 16000))).astype("<i2")  # a quiet room, about -55 dBFS
    pcm = data / "idle.pcm"
    pcm.write_bytes(noise.tobytes())
    cmd = [sys.executable, "-m", "runtime.cli", "run", "--config", str(cfg_file), "--data", str(data / "run"),
           "--source", f"kitchen-sat={pcm}", "--realtime", "--no-speak", "--health-interval", "0"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    p = psutil.Process(proc.pid)
    assert proc.stderr is not None
    t_start = time.monotonic()
    for line in proc.stderr:
        if "ready" in line:
            break
    startup = time.monotonic() - t_start
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()  # type: ignore[union-attr]
    time.sleep(2.0)  # let the first chunks settle
    c0, w0 = sum(p.cpu_times()[:2]), time.monotonic()
    rss_samples = []
    for _ in tqdm(range(int(seconds)), desc="idle listening", unit="s"):
        time.sleep(1.0)
        rss_samples.append(p.memory_info().rss / 2**20)
    c1, w1 = sum(p.cpu_times()[:2]), time.monotonic()
    peak = vm_hwm_mb(proc.pid)  # the kernel's own peak RSS of that process, start-up included
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    return {
        "idle_seconds": round(w1 - w0, 1),
        "idle_cpu_percent": round(100 * (c1 - c0) / (w1 - w0), 2),
        "rss_mb_peak": round(peak, 1),
        "rss_mb_steady_max": round(max(rss_samples), 1),
        "startup_s": round(startup, 2),
        "stream": "gaussian noise sigma=60 (int16), 16 kHz, paced in real time",
    }


def vm_hwm_mb(pid: int) -> float:
    """Peak resident set size of a running process (VmHWM in /proc/<pid>/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result["latency"]
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 4.5))
    for j, (label, run) in enumerate(runs.items()):
        s = run["summary"]["stages_ms"]
        left = 0.0
        for k, stage in enumerate(STAGES):
            a.barh(
                [f"{label} ms silence"],
                [s[stage]["p50"]],
                left=left,
                color=f"C{k}",
                label=stage if j == 0 else None,
            )
            left += s[stage]["p50"]
        rows = [r for r in run["rows"] if "incl_endpoint_ms" in r]
        b.hist([r["incl_endpoint_ms"] for r in rows], bins=30, alpha=0.6, label=f"incl. endpoint, {label} ms")
        if j == 0:
            b.hist([r["excl_endpoint_ms"] for r in rows], bins=30, alpha=0.6, label="excl. endpoint wait")
    a.axvline(TARGETS["p50_incl_endpoint_ms"], color="red", ls="--", label="target 400 ms")
    a.set_xlabel("ms from the last voiced frame (p50 per stage)")
    a.set_title("end of speech -> MQTT command published")
    a.legend(fontsize=7, loc="lower right")
    b.axvline(TARGETS["p50_excl_endpoint_ms"], color="k", ls=":")
    b.axvline(TARGETS["p50_incl_endpoint_ms"], color="red", ls="--")
    b.set_xlabel("ms")
    b.set_title("per command")
    b.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="20 commands and 15 s of idle listening")
    ap.add_argument("-n", type=int, default=120, help="spoken commands (default 120)")
    ap.add_argument("--idle-seconds", type=float, default=60.0)
    ap.add_argument("--config", type=Path, default=ROOT / "devices.yaml")
    ap.add_argument(
        "--trailing-silence-ms",
        default="",
        help="comma-separated endpointer settings to compare (default: devices.yaml's, then 300)",
    )
    args = ap.parse_args()
    n, idle = (20, 15.0) if args.quick else (args.n, args.idle_seconds)
    OUT.mkdir(parents=True, exist_ok=True)
    config = load_config(args.config)
    settings = [int(x) for x in args.trailing_silence_ms.split(",") if x.strip()]
    settings = settings or sorted({config.audio.trailing_silence_ms, 300}, reverse=True)
    broker = start_mosquitto()
    latency: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for ms in settings:
                latency[str(ms)] = measure_latency(
                    config, n, broker.host, broker.port, Path(tmp) / f"lat{ms}", ms
                )
            process = measure_process(args.config, idle, broker.host, broker.port, Path(tmp))
    finally:
        broker.stop()
    summaries = {ms: run["summary"] for ms, run in latency.items()}
    configured = summaries.get(str(config.audio.trailing_silence_ms), next(iter(summaries.values())))
    best = min(summaries.values(), key=lambda x: x["incl_endpoint_ms"]["p50"])
    checks = {
        "p50_incl_endpoint_ms (configured silence)": configured["incl_endpoint_ms"]["p50"]
        <= TARGETS["p50_incl_endpoint_ms"],
        f"p50_incl_endpoint_ms ({best['trailing_silence_ms']} ms silence)": best["incl_endpoint_ms"]["p50"]
        <= TARGETS["p50_incl_endpoint_ms"],
        "p50_excl_endpoint_ms": configured["excl_endpoint_ms"]["p50"] <= TARGETS["p50_excl_endpoint_ms"],
        "rss_mb": process["rss_mb_peak"] <= TARGETS["rss_mb"],
        "idle_cpu_percent": process["idle_cpu_percent"] <= TARGETS["idle_cpu_percent"],
    }
    result = {
        "latency": latency,
        "process": process,
        "targets": TARGETS,
        "met": checks,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (OUT / "e2e.json").write_text(json.dumps(result, indent=2))
    plot(result, OUT / "e2e.png")
    print(json.dumps({"summary": summaries, "process": process, "met": checks}, indent=2))
    print(f"wrote {OUT / 'e2e.json'} and {OUT / 'e2e.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
