"""The in-process MQTT broker, exercised by real paho clients (the demo's fallback broker)."""

from __future__ import annotations

import queue
import socket
import time
from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest

from runtime.broker import InProcessBroker, ensure_broker, topic_matches


@pytest.fixture
def broker() -> Iterator[InProcessBroker]:
    b = InProcessBroker().start()
    yield b
    b.stop()


class Client:
    """A paho client that collects what it receives in a queue."""

    def __init__(self, broker: InProcessBroker, client_id: str = "", **connect: object) -> None:
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
        self.c.on_message = lambda _c, _u, m: self.inbox.put(m)
        self.subacks: set[int] = set()
        self.c.on_subscribe = lambda _c, _u, mid, _r, _p: self.subacks.add(mid)
        self.connect_args = connect
        self.broker = broker

    def connect(self) -> Client:
        self.c.connect(self.broker.host, self.broker.port, keepalive=5)
        self.c.loop_start()
        deadline = time.monotonic() + 5
        while not self.c.is_connected():
            assert time.monotonic() < deadline, "paho did not get a CONNACK"
            time.sleep(0.01)
        return self

    def subscribe(self, topic: str, qos: int = 0) -> None:
        result, mid = self.c.subscribe(topic, qos)
        assert result == mqtt.MQTT_ERR_SUCCESS
        deadline = time.monotonic() + 5
        while mid not in self.subacks:  # publish only once the broker has the subscription
            assert time.monotonic() < deadline, "no SUBACK"
            time.sleep(0.01)

    def get(self, timeout: float = 3) -> mqtt.MQTTMessage:
        return self.inbox.get(timeout=timeout)

    def close(self) -> None:
        self.c.disconnect()
        self.c.loop_stop()


def test_topic_filters() -> None:
    assert topic_matches("home/+/light", "home/kitchen/light")
    assert not topic_matches("home/+/light", "home/kitchen/light/set")
    assert topic_matches("home/#", "home/kitchen/light/set")
    assert topic_matches("home/#", "home")
    assert topic_matches("#", "a/b")
    assert not topic_matches("#", "$SYS/uptime")
    assert not topic_matches("home/+", "home/a/b")
    assert topic_matches("a/b", "a/b") and not topic_matches("a/b", "a/c")


def test_pub_sub_wildcards_and_qos1(broker: InProcessBroker) -> None:
    sub = Client(broker).connect()
    sub.subscribe("home/+/light", qos=1)
    sub.subscribe("zigbee2mqtt/#")
    pub = Client(broker).connect()
    info = pub.c.publish("home/kitchen/light", b'{"state": "ON"}', qos=1)
    info.wait_for_publish(3)
    assert info.is_published()  # PUBACK arrived
    m = sub.get()
    assert (m.topic, m.payload, m.qos) == ("home/kitchen/light", b'{"state": "ON"}', 1)
    pub.c.publish("zigbee2mqtt/floor_lamp/set", b"x", qos=1).wait_for_publish(3)
    m = sub.get()
    assert (m.topic, m.qos) == ("zigbee2mqtt/floor_lamp/set", 0)  # downgraded to the subscription's QoS
    pub.c.publish("home/kitchen/light/set", b"not for us").wait_for_publish(3)
    with pytest.raises(queue.Empty):
        sub.get(timeout=0.3)
    pub.close()
    sub.close()


def test_retained_and_clear(broker: InProcessBroker) -> None:
    pub = Client(broker).connect()
    pub.c.publish("ambient/hub/status", b"online", qos=1, retain=True).wait_for_publish(3)
    late = Client(broker).connect()
    late.subscribe("ambient/+/status")
    m = late.get()
    assert (m.payload, m.retain) == (b"online", True)
    pub.c.publish("ambient/hub/status", b"", qos=1, retain=True).wait_for_publish(3)
    assert late.get().payload == b""  # live subscribers still see the clearing message
    later = Client(broker).connect()
    later.subscribe("ambient/#")
    with pytest.raises(queue.Empty):
        later.get(timeout=0.3)
    for c in (pub, late, later):
        c.close()


def test_last_will_on_unclean_disconnect_but_not_on_clean(broker: InProcessBroker) -> None:
    watcher = Client(broker).connect()
    watcher.subscribe("ambient/+/status")
    # an unclean end: a raw socket that connects with a will, then just closes
    will_topic, will_msg = b"ambient/dev1/status", b"offline"
    body = b"\x00\x04MQTT\x04" + bytes([0x04 | 0x02]) + b"\x00\x3c"
    body += b"\x00\x04dev1" + len(will_topic).to_bytes(2, "big") + will_topic
    body += len(will_msg).to_bytes(2, "big") + will_msg
    s = socket.create_connection((broker.host, broker.port))
    s.sendall(bytes([0x10, len(body)]) + body)
    assert s.recv(4) == b"\x20\x02\x00\x00"  # CONNACK accepted
    s.close()
    m = watcher.get()
    assert (m.topic, m.payload) == ("ambient/dev1/status", b"offline")
    # a clean DISCONNECT suppresses the will
    polite = Client(broker, client_id="dev2")
    polite.c.will_set("ambient/dev2/status", "offline")
    polite.connect()
    polite.close()
    with pytest.raises(queue.Empty):
        watcher.get(timeout=0.3)
    watcher.close()


def test_unsubscribe_and_ping(broker: InProcessBroker) -> None:
    sub = Client(broker).connect()
    sub.subscribe("a/b")
    sub.c.unsubscribe("a/b")
    time.sleep(0.1)
    pub = Client(broker).connect()
    pub.c.publish("a/b", b"1", qos=1).wait_for_publish(3)
    with pytest.raises(queue.Empty):
        sub.get(timeout=0.3)
    s = socket.create_connection((broker.host, broker.port))
    s.sendall(bytes([0x10, 12]) + b"\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")
    assert s.recv(4) == b"\x20\x02\x00\x00"
    s.sendall(b"\xc0\x00")
    assert s.recv(2) == b"\xd0\x00"  # PINGRESP
    s.close()
    pub.close()
    sub.close()


def test_ensure_broker_falls_back_to_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMBIENT_BROKER", "inprocess")
    handle = ensure_broker("127.0.0.1", 1)  # nothing listens on port 1
    try:
        assert handle.kind == "inprocess"
        c = Client(InProcessBroker(handle.host, handle.port)).connect()  # only host/port are used
        c.close()
    finally:
        handle.stop()
