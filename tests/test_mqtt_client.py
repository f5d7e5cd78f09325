"""The connection: topics, backoff, credentials, TLS config, authentication, resubscribe, Hermes."""

from __future__ import annotations

import dataclasses
import getpass
import json
import logging
import random
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from conftest import wait_until
from hypothesis import given, settings
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion

from mqtt_bridge import Bridge
from mqtt_bridge.client import MqttClient, RateLimitedLog, backoff_delay, credentials, read_credentials_file
from mqtt_bridge.hermes import intent_payload
from mqtt_bridge.topics import Topics, parse_discovery_topic, topic_matches
from runtime.config import Config, ConfigError, Tls
from runtime.context import ContextStore
from runtime.events import Interpretation, Slot, Transcript, Wake


def with_mqtt(config: Config, **changes: Any) -> Config:
    return dataclasses.replace(config, mqtt=dataclasses.replace(config.mqtt, **changes))


# --- pure parts ----------------------------------------------------------------------------------


def test_topics_are_built_and_parsed_in_one_place() -> None:
    t = Topics("home/ambient", "hub-1")
    assert (t.status, t.turn, t.feedback) == (
        "home/ambient/hub-1/status",
        "home/ambient/hub-1/turn",
        "home/ambient/hub-1/feedback",
    )
    assert (t.global_rewrites, t.personal_rewrites) == (
        "home/ambient/rewrites/global",
        "home/ambient/hub-1/rewrites",
    )
    assert t.parse_event_topic("home/ambient/other/feedback") == ("other", "feedback")
    assert t.parse_event_topic("home/ambient/rewrites/global") is None
    assert t.parse_event_topic("ambient/hub-1/turn") is None
    for bad in ("a/+", "a/#", ""):
        with pytest.raises(ValueError):
            Topics(bad, "hub")
    with pytest.raises(ValueError):
        Topics("ambient", "hub/1")
    d = parse_discovery_topic("homeassistant/light/node7/den/config")
    assert d is not None and (d.component, d.node_id, d.object_id, d.key) == (
        "light",
        "node7",
        "den",
        "light/node7/den",
    )
    assert parse_discovery_topic("homeassistant/light/den/config").key == "light/den"  # type: ignore[union-attr]
    for bad in ("homeassistant/light/config", "homeassistant/light/den/state", "hass/light/den/config",
                "homeassistant/light//den/config", "homeassistant/a/b/c/d/config"):  # fmt: skip
        assert parse_discovery_topic(bad) is None


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(1)
    delays = [[backoff_delay(a, 0.5, 30, rng) for _ in range(200)] for a in range(10)]
    for attempt, ds in enumerate(delays):
        cap = min(30, 0.5 * 2**attempt)
        assert all(cap / 2 <= d <= cap for d in ds)
        assert len({round(d, 6) for d in ds}) > 100  # jittered, not lockstep
    assert max(delays[9]) <= 30
    assert backoff_delay(10_000, 0.5, 30, rng) <= 30  # no overflow


def test_credentials_env_wins_over_file(config: Config, tmp_path: Path) -> None:
    f = tmp_path / "mqtt.env"
    f.write_text("# broker login\nAMBIENT_MQTT_USERNAME=hub\nexport AMBIENT_MQTT_PASSWORD='pa ss'\n\n")
    assert read_credentials_file(f) == {"AMBIENT_MQTT_USERNAME": "hub", "AMBIENT_MQTT_PASSWORD": "pa ss"}
    cfg = with_mqtt(config, credentials_file=str(f))
    assert credentials(cfg, env={}) == ("hub", "pa ss")
    assert credentials(cfg, env={"AMBIENT_MQTT_USERNAME": "env", "AMBIENT_MQTT_PASSWORD": "p"}) == (
        "env",
        "p",
    )
    assert credentials(config, env={}) == (None, None)
    missing = with_mqtt(config, credentials_file=str(tmp_path / "nope.env"))
    with pytest.raises(ConfigError, match="mqtt.credentials_file"):
        credentials(missing, env={})


def test_missing_tls_files_are_a_config_error(config: Config, tmp_path: Path) -> None:
    cfg = with_mqtt(config, tls=Tls(ca_file=str(tmp_path / "ca.crt")))
    with pytest.raises(ConfigError, match="mqtt.tls.ca_file: file not found"):
        MqttClient(cfg, env={})


def test_hermes_payload_field_names() -> None:
    interp = Interpretation(
        "HassLightSet", 0.93, [Slot("name", "kitchen light", 3, 5), Slot("brightness", "40", 6, 7)],
        "set the kitchen light to 40 percent",
    )  # fmt: skip
    body = intent_payload(interp, "kitchen-sat", "s1")
    assert body["intent"] == {"intentName": "HassLightSet", "confidenceScore": 0.93}
    assert body["input"] == "set the kitchen light to 40 percent"
    name, level = body["slots"]
    assert name == {"slotName": "name", "rawValue": "kitchen light", "value": {"kind": "Custom", "value": "kitchen light"},
                    "entity": "name", "range": {"start": 8, "end": 21}}  # fmt: skip
    assert level["value"] == {"kind": "Number", "value": 40}
    assert body["input"][level["range"]["start"] : level["range"]["end"]] == "40"
    assert (body["siteId"], body["sessionId"]) == ("kitchen-sat", "s1")


# --- against a real broker -----------------------------------------------------------------------


def test_hermes_events_only_when_enabled(config: Config, broker: Any, tmp_path: Path) -> None:
    got: list[tuple[str, dict[str, Any]]] = []
    sub = mqtt.Client(CallbackAPIVersion.VERSION2)
    ready = threading.Event()
    sub.on_subscribe = lambda *a: ready.set()
    sub.on_message = lambda c, u, m: got.append((m.topic, json.loads(m.payload)))
    sub.connect(broker.host, broker.port)
    sub.subscribe("hermes/#")
    sub.loop_start()
    assert ready.wait(5)
    for enabled in (False, True):
        cfg = with_mqtt(config, host=broker.host, port=broker.port, hermes=enabled)
        bridge = Bridge(cfg, ContextStore(cfg), tmp_path / f"o{enabled}.sqlite", env={})
        assert bridge.start(wait_s=10)
        sent = [
            bridge.hermes.hotword_detected(Wake("hey_mycroft", 0.8, 1.0, "kitchen-sat"), "s1"),
            bridge.hermes.text_captured(Transcript("turn on the fan", 0.7), seconds=1.5, session_id="s1"),
            bridge.hermes.intent(
                Interpretation("HassTurnOn", 0.9, [Slot("name", "fan")], "turn on the fan"), "s1"
            ),
        ]
        assert all(sent) is enabled
        bridge.stop(flush_timeout_s=1)
    assert wait_until(lambda: len(got) == 3)
    topics = dict(got)
    assert topics["hermes/hotword/hey_mycroft/detected"]["siteId"] == "kitchen-sat"
    assert topics["hermes/hotword/hey_mycroft/detected"]["modelId"] == "hey_mycroft"
    assert topics["hermes/asr/textCaptured"] == {"text": "turn on the fan", "likelihood": 0.7, "seconds": 1.5,
                                                 "siteId": "maple-hub", "sessionId": "s1"}  # fmt: skip
    assert topics["hermes/intent/HassTurnOn"]["slots"][0]["rawValue"] == "fan"
    sub.disconnect()
    sub.loop_stop()


def test_routes_are_resubscribed_after_a_broker_restart(config: Config, broker: Any, tmp_path: Path) -> None:
    cfg = with_mqtt(config, host=broker.host, port=broker.port)
    ctx = ContextStore(cfg)
    bridge = Bridge(cfg, ctx, tmp_path / "o.sqlite", env={}, reconnect_min_s=0.1, reconnect_max_s=0.5)
    assert bridge.start(wait_s=10)
    broker.stop()  # this test broker has no persistence: the session and its subscriptions are gone
    assert wait_until(lambda: not bridge.client.connected.is_set())
    broker.start()
    assert wait_until(lambda: bridge.client.connects >= 2, timeout=10)
    peer = mqtt.Client(CallbackAPIVersion.VERSION2)
    peer.connect(broker.host, broker.port)
    peer.loop_start()
    try:
        # the SUBACK may still be on its way: retained, as devices publish state
        peer.publish("home/hallway/light", '{"state": "ON"}', qos=1, retain=True).wait_for_publish(5)
        assert wait_until(
            lambda: (s := ctx.state("hallway_light")) is not None and s.state == {"state": "on"}
        )
    finally:
        peer.disconnect()
        peer.loop_stop()
        bridge.stop(flush_timeout_s=1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def auth_broker(tmp_path: Path) -> Iterator[int]:
    """A mosquitto that requires a password (the shared fixture allows anonymous clients)."""
    port = free_port()
    pw = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(pw), "hub", "right"], check=True, capture_output=True)
    conf = tmp_path / "auth.conf"
    # `user`: mosquitto started as root drops to user "mosquitto", who cannot read pytest's tmp dir
    conf.write_text(
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous false\npassword_file {pw}\n"
    )
    proc = subprocess.Popen(
        [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_until(lambda: _can_connect(port), timeout=10)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def _can_connect(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def test_credentials_are_used_to_authenticate(config: Config, auth_broker: int, tmp_path: Path) -> None:
    f = tmp_path / "mqtt.env"
    f.write_text("AMBIENT_MQTT_USERNAME=hub\nAMBIENT_MQTT_PASSWORD=right\n")
    cfg = with_mqtt(config, port=auth_broker, credentials_file=str(f))
    wrong = MqttClient(cfg, env={"AMBIENT_MQTT_PASSWORD": "wrong"}, reconnect_min_s=0.1, reconnect_max_s=0.2)
    wrong.start()
    assert wait_until(lambda: wrong.failed_connects >= 2)
    assert not wrong.connected.is_set()
    wrong.stop()
    right = MqttClient(cfg, env={}, client_id="right")
    right.start()
    assert right.wait_connected(10)
    right.stop()


levels = st.sampled_from(["a", "b", "+", "", "$SYS", "home"])


@settings(max_examples=300, deadline=None)
@given(
    flt=st.lists(levels, min_size=1, max_size=5),
    topic=st.lists(levels.filter(lambda x: x != "+"), min_size=1, max_size=6),
    hash_=st.booleans(),
)
def test_topic_matching_agrees_with_paho(flt: list[str], topic: list[str], hash_: bool) -> None:
    f = "/".join(flt) + ("/#" if hash_ else "")
    t = "/".join(topic)
    assert topic_matches(f, t) == mqtt.topic_matches_sub(f, t)


def test_persistent_session_queues_qos1_states_while_the_bridge_is_away(
    config: Config, broker: Any, tmp_path: Path
) -> None:
    cfg = with_mqtt(config, host=broker.host, port=broker.port)
    first = Bridge(cfg, ContextStore(cfg), tmp_path / "o.sqlite", env={})
    assert first.start(wait_s=10)
    first.stop(flush_timeout_s=1)  # the broker keeps the session (clean_session=False, same client id)
    peer = mqtt.Client(CallbackAPIVersion.VERSION2)
    peer.connect(broker.host, broker.port)
    peer.loop_start()
    peer.publish("home/bedroom/fan", '{"state": "ON"}', qos=1).wait_for_publish(5)  # not retained
    peer.disconnect()
    peer.loop_stop()
    ctx = ContextStore(cfg)
    again = Bridge(cfg, ctx, tmp_path / "o.sqlite", env={})
    assert again.start(wait_s=10)
    try:
        assert wait_until(lambda: (s := ctx.state("bedroom_fan")) is not None and s.state == {"state": "on"})
    finally:
        again.stop(flush_timeout_s=1)


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture
def tls_broker(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """mosquitto with TLS that requires a client certificate; a throwaway CA made with openssl."""
    d = tmp_path / "pki"
    d.mkdir()
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
             "-keyout", str(d / "ca.key"), "-out", str(d / "ca.crt"))  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    for name in ("server", "client"):
        _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", f"/CN={name}",
                 "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.csr"))  # fmt: skip
        _openssl("x509", "-req", "-in", str(d / f"{name}.csr"), "-CA", str(d / "ca.crt"), "-CAkey",
                 str(d / "ca.key"), "-CAcreateserial", "-days", "2", "-extfile", str(d / "san.ext"),
                 "-out", str(d / f"{name}.crt"))  # fmt: skip
    port = free_port()
    conf = tmp_path / "tls.conf"
    conf.write_text(
        f"user {getpass.getuser()}\nlistener {port} 127.0.0.1\nallow_anonymous true\n"
        f"cafile {d / 'ca.crt'}\ncertfile {d / 'server.crt'}\nkeyfile {d / 'server.key'}\n"
        "require_certificate true\n"
    )
    proc = subprocess.Popen(
        [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert wait_until(lambda: _can_connect(port), timeout=10)
    yield port, d
    proc.terminate()
    proc.wait(timeout=10)


def test_tls_with_a_client_certificate(config: Config, tls_broker: tuple[int, Path], tmp_path: Path) -> None:
    port, d = tls_broker
    tls = Tls(ca_file=str(d / "ca.crt"), cert_file=str(d / "client.crt"), key_file=str(d / "client.key"))
    ctx = ContextStore(with_mqtt(config, port=port, tls=tls))
    bridge = Bridge(ctx.config, ctx, tmp_path / "o.sqlite", env={})
    assert bridge.start(wait_s=10)
    try:
        bridge.handle("home/kitchen/light", b'{"state": "ON"}')
        assert bridge.uplink.send("turn", {"id": "over-tls"}) == "over-tls"
        assert bridge.uplink.flush(5)  # PUBACKed over TLS
    finally:
        bridge.stop(flush_timeout_s=1)
    # without a client certificate the broker refuses the handshake: no connection, retries
    no_cert = MqttClient(with_mqtt(config, port=port, tls=Tls(ca_file=str(d / "ca.crt"))), env={},
                         reconnect_min_s=0.1, reconnect_max_s=0.2)  # fmt: skip
    no_cert.start()
    assert wait_until(lambda: no_cert.failed_connects >= 2)
    assert not no_cert.connected.is_set()
    no_cert.stop()


def test_bad_input_is_logged_once_per_topic_and_interval(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    limited = RateLimitedLog(
        logging.getLogger("test.ratelimit"), interval_s=60, max_keys=3, clock=lambda: now[0]
    )
    with caplog.at_level(logging.WARNING, logger="test.ratelimit"):
        assert limited.warning("bad:a", "a is bad")
        assert not any(limited.warning("bad:a", "a is bad") for _ in range(99))
        assert limited.warning("bad:b", "b is bad")  # another topic: its own line
        now[0] = 61
        assert limited.warning("bad:a", "a is bad")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["a is bad", "b is bad", "a is bad (99 similar suppressed)"]
    for i in range(100):  # fuzzed topics must not grow memory without bound
        limited.warning(f"bad:{i}", "x")
    assert len(limited._seen) == 3
