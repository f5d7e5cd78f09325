"""MQTT bridge benchmark: state ingest rate and latency, uplink rate, loss across outages, memory.

    .venv/bin/python benchmarks/mqtt.py           # full run (~1-2 minutes)
    .venv/bin/python benchmarks/mqtt.py --quick   # smaller counts

Everything runs against a real mosquitto this script starts on a free loopback port; publishers and
the memory probe run in separate processes. Measured:

* ingest: state messages/s applied to the ContextStore (a publisher process floods QoS 0 state
  messages of the example home's devices, in their own conventions);
* latency: publish -> state in the context, p50/p99, with a publisher paced at 1,000 msg/s
  (both timestamps are time.time() on the same machine);
* uplink: events/s from a pre-filled SQLite outbox to a subscriber (QoS 1, rows deleted on PUBACK),
  and the rate of durable enqueues (one fsync'd commit per event);
* loss: events sent while the broker is restarted 3 times (broker with persistence, receiver with
  a persistent session), and events committed by a daemon that is SIGKILLed mid-flight and
  restarted: unique events received vs sent;
* memory: RSS above baseline in a fresh process after 10,000 devices arrived by Home Assistant
  discovery, each with a state.

Targets: >= 5,000 state msg/s; p99 <= 5 ms; zero loss; <= 50 MB for 10,000 devices.
Writes benchmarks/out/mqtt.json and benchmarks/out/mqtt_latency.png.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import paho.mqtt.client as mqtt  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from mqtt_bridge import Bridge  # noqa: E402
from mqtt_bridge.uplink import Outbox, Receiver  # noqa: E402
from runtime.broker import Mosquitto  # noqa: E402
from runtime.config import Config, load_config  # noqa: E402
from runtime.context import ContextStore  # noqa: E402
from runtime.conventions import state_payload  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
TARGETS = {"ingest_msgs_per_s": 5000, "latency_p99_ms": 5.0, "lost_events": 0, "memory_10k_devices_mb": 50.0}


# --- a broker of our own -------------------------------------------------------------------------


def home_config(port: int) -> Config:
    cfg = load_config(ROOT / "devices.yaml")
    return dataclasses.replace(cfg, mqtt=dataclasses.replace(cfg.mqtt, host="127.0.0.1", port=port))


def wait_until(pred: Any, timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(step)
    return bool(pred())


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]


def rss_mb() -> float:
    import psutil

    return float(psutil.Process().memory_info().rss) / 2**20


# --- publisher processes ---------------------------------------------------------------------------


def publisher(port: int, mode: str, n: int, rate: float, out: str) -> None:
    """Runs in its own process (`--publish`): floods, paces, or discovers."""
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{mode}")
    c.max_inflight_messages_set(1000)
    c.connect("127.0.0.1", port)
    sock = c.socket()
    if isinstance(
        sock, socket.socket
    ):  # a device publishes promptly too (zigbee2mqtt's node.js sets no-delay)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.loop_start()
    sent: list[float] = []
    info = None
    if mode == "flood":
        cfg = home_config(port)
        messages = []
        for d in cfg.devices:
            if not d.state_topic:
                continue
            variants: list[dict[str, Any]] = [{"state": "on"}, {"state": "off"}]
            if d.type == "light":
                variants = [{"state": "on", "brightness": b} for b in (10, 50, 90)] + [{"state": "off"}]
            elif d.type == "sensor":
                variants = [{"temperature": t} for t in (19.5, 20.0, 21.5)]
            elif d.type == "cover":
                variants = [{"state": "open", "position": 100}, {"state": "closed", "position": 0}]
            elif d.type == "lock":
                variants = [{"state": "locked"}, {"state": "unlocked"}]
            messages += [state_payload(d, v) for v in variants]
        for i in range(n):
            topic, payload = messages[i % len(messages)]
            info = c.publish(topic, payload, qos=0)
    elif mode == "paced":
        start = time.perf_counter()
        for i in range(n):
            due = start + i / rate
            while (now := time.perf_counter()) < due:
                time.sleep(min(due - now, 0.001))
            sent.append(time.time())
            info = c.publish("home/outdoor/temperature", json.dumps({"temperature": i}), qos=0)
    elif mode == "discovery":
        for i in range(n):
            config = {"~": f"bench/dev{i}", "name": f"bench lamp {i}", "uniq_id": f"bench_{i}", "stat_t": "~/state",
                      "cmd_t": "~/set", "avty_t": "~/availability", "schema": "json", "dev": {"sa": "office"}}  # fmt: skip
            c.publish(
                f"bench/dev{i}/state", json.dumps({"state": "ON", "brightness": i % 256}), qos=1, retain=True
            )
            info = c.publish(f"homeassistant/light/bench_{i}/config", json.dumps(config), qos=1, retain=True)
    if info is not None:
        info.wait_for_publish(60)
    time.sleep(0.2)
    c.disconnect()
    c.loop_stop()
    if out:
        Path(out).write_text(json.dumps(sent))


def spawn_publisher(
    port: int, mode: str, n: int, rate: float = 0.0, out: str = ""
) -> subprocess.Popen[bytes]:
    args = [sys.executable, __file__, "--publish", str(port), mode, str(n), str(rate), out]
    return subprocess.Popen(args, cwd=ROOT)


# --- the measurements ------------------------------------------------------------------------------


def bench_ingest(port: int, workdir: Path, n: int) -> dict[str, Any]:
    cfg = home_config(port)
    ctx = ContextStore(cfg)
    times: list[float] = []
    ctx.on_state(lambda device_id, fields: times.append(time.perf_counter()))
    bridge = Bridge(cfg, ctx, workdir / "ingest.sqlite", env={})
    assert bridge.start(wait_s=10)
    proc = spawn_publisher(port, "flood", n)
    with tqdm(total=n, desc="ingest", unit="msg") as bar:
        last, idle_since = 0, time.monotonic()
        while len(times) < n and time.monotonic() - idle_since < 5:
            time.sleep(0.1)
            if len(times) != last:
                bar.update(len(times) - last)
                last, idle_since = len(times), time.monotonic()
    proc.wait(timeout=60)
    bridge.stop(flush_timeout_s=1)
    got = len(times)
    seconds = times[-1] - times[0] if got > 1 else float("nan")
    return {
        "messages_sent": n,
        "messages_applied": got,
        "seconds": seconds,
        "msgs_per_s": (got - 1) / seconds if got > 1 else 0.0,
        "dropped_counters": {k: v for k, v in bridge.counters().items() if str(k).startswith("dropped")},
    }


def bench_latency(port: int, workdir: Path, n: int, rate: float) -> tuple[dict[str, Any], list[float]]:
    cfg = home_config(port)
    ctx = ContextStore(cfg)
    received: dict[int, float] = {}

    def on_state(device_id: str, fields: dict[str, Any]) -> None:
        if device_id == "outdoor_temperature":
            received[int(fields["temperature"])] = time.time()

    ctx.on_state(on_state)
    bridge = Bridge(cfg, ctx, workdir / "latency.sqlite", env={})
    assert bridge.start(wait_s=10)
    sent_file = workdir / "sent.json"
    proc = spawn_publisher(port, "paced", n, rate, str(sent_file))
    with tqdm(total=n, desc="latency", unit="msg") as bar:
        last = 0
        while proc.poll() is None:
            time.sleep(0.1)
            bar.update(len(received) - last)
            last = len(received)
    wait_until(lambda: len(received) >= n, 5)
    bridge.stop(flush_timeout_s=1)
    sent = json.loads(sent_file.read_text())
    lat = [(received[i] - sent[i]) * 1000 for i in range(n) if i in received]
    # the handler alone, without the network: what one message costs the network thread
    handler_us = []
    payloads = [json.dumps({"state": "ON", "brightness": i % 255}).encode() for i in range(2000)]
    for p in payloads:
        t = time.perf_counter()
        bridge.handle("zigbee2mqtt/floor_lamp", p)
        handler_us.append((time.perf_counter() - t) * 1e6)
    return {
        "messages": n,
        "received": len(lat),
        "rate_msgs_per_s": rate,
        "p50_ms": percentile(lat, 50),
        "p90_ms": percentile(lat, 90),
        "p99_ms": percentile(lat, 99),
        "max_ms": max(lat),
        "handler_only_p50_us": percentile(handler_us, 50),
        "handler_only_p99_us": percentile(handler_us, 99),
    }, lat


def turn_event(i: int) -> dict[str, Any]:
    """About the size of a real turn record."""
    return {
        "id": f"bench-{i}", "device": "maple-hub", "satellite": "kitchen-sat", "started": time.time(),
        "transcript": {"text": "turn on the kitchen light", "confidence": 0.91, "engine": "pocketsphinx"},
        "nbest": [{"intent": "HassTurnOn", "score": 0.97, "slots": [{"name": "name", "value": "kitchen light"}]}],
        "action": {"kind": "command", "commands": [{"device_id": "kitchen_light", "topic": "home/kitchen/light/set",
                   "payload": '{"state": "ON"}', "expect": {"state": "on"}}]},
        "result": {"status": "success", "detail": "confirmed by kitchen_light"},
        "timings": {"wake": 0.012, "asr": 0.31, "nlu": 0.004, "resolve": 0.001, "dispatch": 0.04},
    }  # fmt: skip


def bench_uplink(port: int, workdir: Path, n: int) -> dict[str, Any]:
    path = workdir / "uplink.sqlite"
    box = Outbox(path)
    t = time.perf_counter()
    for i in range(1000):
        box.enqueue("turn", turn_event(i))
    enqueue_rate = 1000 / (time.perf_counter() - t)
    box.enqueue_many("turn", (turn_event(i) for i in range(1000, n)))
    box.close()
    receiver = Receiver("127.0.0.1", port).start()
    cfg = home_config(port)
    bridge = Bridge(cfg, ContextStore(cfg), path, env={})
    t0 = time.perf_counter()
    bridge.start()
    with tqdm(total=n, desc="uplink", unit="event") as bar:
        last = 0
        while len(bridge.outbox) and time.perf_counter() - t0 < 120:
            time.sleep(0.05)
            bar.update(n - len(bridge.outbox) - last)
            last = n - len(bridge.outbox)
    seconds = time.perf_counter() - t0
    receiver.wait_for(n, 10)
    bridge.stop(flush_timeout_s=1)
    receiver.stop()
    return {
        "events": n,
        "seconds": seconds,
        "events_per_s": n / seconds,
        "received_unique": len(receiver.events),
        "duplicates": receiver.duplicates,
        "durable_enqueue_per_s": enqueue_rate,
        "event_bytes": len(json.dumps(turn_event(0))),
    }


def bench_restarts(workdir: Path, n: int, restarts: int) -> dict[str, Any]:
    """Events keep coming while the (persistent) broker is restarted; all must arrive once."""
    pdir = workdir / "persist"
    pdir.mkdir()
    broker = Mosquitto(workdir=pdir, persistence=True)
    broker.start()
    receiver = Receiver("127.0.0.1", broker.port, client_id="cloud", persistent=True).start()
    cfg = home_config(broker.port)
    bridge = Bridge(cfg, ContextStore(cfg), workdir / "restarts.sqlite", env={}, reconnect_min_s=0.2,
                    reconnect_max_s=1.0)  # fmt: skip
    bridge.start(wait_s=10)
    sent: list[str] = []

    def produce() -> None:
        for i in range(n):
            sent.append(bridge.send_turn({"id": f"restart-{i}", "n": i}))
            time.sleep(0.001)

    producer = threading.Thread(target=produce)
    producer.start()
    for _ in tqdm(range(restarts), desc="broker restarts"):
        time.sleep(0.4)
        broker.stop()
        time.sleep(0.5)
        broker.start()
    producer.join()
    wait_until(lambda: len(bridge.outbox) == 0, 60, 0.05)
    receiver.wait_for(n, 30)
    lost = len(set(sent) - receiver.ids())
    result = {"events": n, "broker_restarts": restarts, "received_unique": len(receiver.events), "lost": lost,
              "duplicates_dropped": receiver.duplicates, "bridge_connects": bridge.client.connects,
              "outbox_left": len(bridge.outbox)}  # fmt: skip
    bridge.stop(flush_timeout_s=1)
    receiver.stop()
    broker.stop()
    return result


KILL_CHILD = """
import dataclasses, sys
sys.path.insert(0, sys.argv[1])
from mqtt_bridge import Bridge
from runtime.config import load_config
from runtime.context import ContextStore
root, port, outbox = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cfg = load_config(root + "/devices.yaml")
cfg = dataclasses.replace(cfg, mqtt=dataclasses.replace(cfg.mqtt, host="127.0.0.1", port=port))
bridge = Bridge(cfg, ContextStore(cfg), outbox, env={}, uplink_window=20)
bridge.start(wait_s=10)
for i in range(1000000):
    bridge.send_turn({"id": f"kill-{i}", "text": "x" * 300})
    print(i, flush=True)
"""


def bench_sigkill(port: int, workdir: Path, kill_after: int) -> dict[str, Any]:
    outbox = workdir / "kill.sqlite"
    receiver = Receiver("127.0.0.1", port).start()
    proc = subprocess.Popen([sys.executable, "-c", KILL_CHILD, str(ROOT), str(port), str(outbox)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    assert proc.stdout is not None
    last = -1
    for line in proc.stdout:
        last = int(line)
        if last + 1 >= kill_after:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    committed = {f"kill-{i}" for i in range(last + 1)}
    left = len(Outbox(outbox))
    cfg = home_config(port)
    bridge = Bridge(cfg, ContextStore(cfg), outbox, env={})
    bridge.start(wait_s=10)
    wait_until(lambda: committed <= receiver.ids() and len(bridge.outbox) == 0, 30, 0.05)
    result = {"committed_before_kill": len(committed), "unsent_at_kill": left,
              "lost": len(committed - receiver.ids()), "duplicates_dropped": receiver.duplicates}  # fmt: skip
    bridge.stop(flush_timeout_s=1)
    receiver.stop()
    return result


def memory_child(port: int, n: int) -> None:
    """`--memory-child`: a fresh process; prints RSS before and after n discovered devices."""
    cfg = home_config(port)
    ctx = ContextStore(cfg)
    bridge = Bridge(cfg, ctx, Path(tempfile.mkdtemp()) / "m.sqlite", env={})
    assert bridge.start(wait_s=10)
    gc.collect()
    base = rss_mb()
    print(json.dumps({"ready": True}), flush=True)
    wait_until(lambda: len(bridge.state.discovered()) >= n, 300, 0.1)
    wait_until(lambda: sum(1 for s in ctx.states() if s.startswith("bench_")) >= n, 120, 0.1)
    t = time.monotonic()
    while time.monotonic() - t < 1.0:  # let the last SUBACKs settle
        time.sleep(0.1)
    gc.collect()
    after = rss_mb()
    result = {"devices": len(bridge.state.discovered()), "with_state": sum(1 for s in ctx.states() if s.startswith("bench_")),
              "baseline_mb": base, "after_mb": after, "delta_mb": after - base,
              "subscriptions": len(bridge.client._subs)}  # fmt: skip
    bridge.stop(flush_timeout_s=1)
    print(json.dumps(result), flush=True)


def bench_memory(port: int, n: int) -> dict[str, Any]:
    child = subprocess.Popen([sys.executable, __file__, "--memory-child", str(port), str(n)],
                             stdout=subprocess.PIPE, text=True, cwd=ROOT)  # fmt: skip
    assert child.stdout is not None
    json.loads(child.stdout.readline())  # ready: baseline taken
    t = time.perf_counter()
    spawn_publisher(port, "discovery", n).wait(timeout=600)
    result = json.loads(child.stdout.readline())
    result["seconds_to_discover"] = time.perf_counter() - t
    child.wait(timeout=30)
    result["bytes_per_device"] = result["delta_mb"] * 2**20 / max(1, result["devices"])
    return result


def plot(lat: list[float], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(lat, bins=80, color="#4477aa")
    for p, style in ((50, "--"), (99, ":")):
        v = percentile(lat, p)
        ax.axvline(v, color="k", linestyle=style, label=f"p{p} {v:.2f} ms")
    ax.set_xlabel("publish -> ContextStore latency (ms)")
    ax.set_ylabel("messages")
    ax.set_title(f"MQTT state-to-context latency ({len(lat)} messages)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller counts")
    args, rest = ap.parse_known_args()
    quick = args.quick
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        broker = Mosquitto(workdir=workdir)
        broker.start()
        try:
            # the machine is shared: the load says how much the latency tail owes to other processes
            results: dict[str, Any] = {
                "quick": quick,
                "cpus": os.cpu_count(),
                "loadavg_start": os.getloadavg(),
            }
            results["ingest"] = bench_ingest(broker.port, workdir, 20_000 if quick else 100_000)
            results["latency"], lat = bench_latency(broker.port, workdir, 1000 if quick else 5000, 1000.0)
            # the same with mosquitto's default (no set_tcp_nodelay): what an untuned broker gives
            plain = Mosquitto(workdir=workdir, nodelay=False)
            plain.start()
            try:
                results["latency_default_broker"], _ = bench_latency(
                    plain.port, workdir, 1000 if quick else 3000, 1000.0
                )
            finally:
                plain.stop()
            results["uplink"] = bench_uplink(broker.port, workdir, 2000 if quick else 10_000)
            results["restarts"] = bench_restarts(workdir, 1000 if quick else 3000, 3)
            results["sigkill"] = bench_sigkill(broker.port, workdir, 300 if quick else 1000)
            results["memory"] = bench_memory(broker.port, 2000 if quick else 10_000)
        finally:
            broker.stop()
    results["loadavg_end"] = os.getloadavg()
    lost = results["restarts"]["lost"] + results["sigkill"]["lost"]
    summary = {
        "ingest_msgs_per_s": round(results["ingest"]["msgs_per_s"]),
        "latency_p50_ms": round(results["latency"]["p50_ms"], 3),
        "latency_p99_ms": round(results["latency"]["p99_ms"], 3),
        "uplink_events_per_s": round(results["uplink"]["events_per_s"]),
        "lost_events": lost,
        "memory_10k_devices_mb": round(results["memory"]["delta_mb"], 1),
    }
    summary["targets_met"] = {
        "ingest": summary["ingest_msgs_per_s"] >= TARGETS["ingest_msgs_per_s"],
        "latency_p99": summary["latency_p99_ms"] <= TARGETS["latency_p99_ms"],
        "zero_loss": lost == 0,
        "memory": summary["memory_10k_devices_mb"] <= TARGETS["memory_10k_devices_mb"],
    }
    results["summary"], results["targets"] = summary, TARGETS
    (OUT / "mqtt.json").write_text(json.dumps(results, indent=2))
    plot(lat, OUT / "mqtt_latency.png")
    print(json.dumps(results, indent=2))
    print(f"wrote {OUT / 'mqtt.json'} and {OUT / 'mqtt_latency.png'}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--publish":
        port, mode, n, rate, out = sys.argv[2:7] if len(sys.argv) > 6 else (*sys.argv[2:6], "")
        publisher(int(port), mode, int(n), float(rate), out)
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--memory-child":
        memory_child(int(sys.argv[2]), int(sys.argv[3]))
        sys.exit(0)
    sys.exit(main())
