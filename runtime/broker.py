"""Finding an MQTT broker for the demo, and a minimal one written in Python for when there is none.

`ambient demo` must use the real MQTT path on a desktop with nothing installed. In order:
1. a broker already reachable at the configured host:port,
2. `mosquitto` started as a child process on a free loopback port,
3. `InProcessBroker`: MQTT 3.1.1 in an asyncio thread, enough for paho and our bridge (CONNECT,
   SUBSCRIBE with + and #, PUBLISH QoS 0/1/2, retained messages, PINGREQ, UNSUBSCRIBE, DISCONNECT,
   last will). No persistence, no authentication, no retransmission: it lives as long as the demo.
`AMBIENT_BROKER=inprocess|mosquitto|external` forces one of them.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

# packet types (upper nibble of the fixed header)
CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14


class ProtocolError(Exception):
    pass


def topic_matches(filter_: str, topic: str) -> bool:
    """MQTT filter matching: `+` one level, `#` the rest; wildcards never match `$SYS`-like topics."""
    if topic.startswith("$") and filter_[:1] in ("+", "#"):
        return False
    f_parts, t_parts = filter_.split("/"), topic.split("/")
    for i, f in enumerate(f_parts):
        if f == "#":
            return True
        if i >= len(t_parts):
            return False
        if f != "+" and f != t_parts[i]:
            return False
    return len(f_parts) == len(t_parts)


def encode_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(s: bytes) -> bytes:
    return struct.pack("!H", len(s)) + s


def packet(kind: int, flags: int, body: bytes) -> bytes:
    return bytes([(kind << 4) | flags]) + encode_length(len(body)) + body


def publish_packet(topic: str, payload: bytes, qos: int, retain: bool, packet_id: int = 0) -> bytes:
    body = _string(topic.encode())
    if qos:
        body += struct.pack("!H", packet_id)
    return packet(PUBLISH, (qos << 1) | int(retain), body + payload)


@dataclass(frozen=True)
class Message:
    topic: str
    payload: bytes
    qos: int
    retain: bool


class _Reader:
    """Cursor over one packet's body."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def u8(self) -> int:
        if self.pos >= len(self.data):
            raise ProtocolError("packet too short")
        self.pos += 1
        return self.data[self.pos - 1]

    def u16(self) -> int:
        if self.pos + 2 > len(self.data):
            raise ProtocolError("packet too short")
        (v,) = struct.unpack_from("!H", self.data, self.pos)
        self.pos += 2
        return int(v)

    def bytes_(self) -> bytes:
        n = self.u16()
        if self.pos + n > len(self.data):
            raise ProtocolError("string runs past the packet")
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def text(self) -> str:
        return self.bytes_().decode("utf-8")

    def rest(self) -> bytes:
        return self.data[self.pos :]

    def done(self) -> bool:
        return self.pos >= len(self.data)


@dataclass(eq=False)
class _Session:
    client_id: str
    writer: asyncio.StreamWriter
    subscriptions: dict[str, int] = field(default_factory=dict)  # filter -> granted qos
    will: Message | None = None
    next_id: int = 0

    def packet_id(self) -> int:
        self.next_id = self.next_id % 65535 + 1
        return self.next_id

    def send(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)


class InProcessBroker:
    """A minimal MQTT 3.1.1 broker on a loopback port, running in its own thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self._sessions: dict[str, _Session] = {}
        self._retained: dict[str, Message] = {}
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> InProcessBroker:
        self._thread = threading.Thread(target=self._run, name="mqtt-broker", daemon=True)
        self._thread.start()
        self._started.wait(10)
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._loop is not None and self._server is not None and self._loop.is_running():
            done = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
            try:
                done.result(5)
            except Exception as e:  # already stopping: nothing left to close
                log.debug("broker shutdown: %s", e)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    async def _shutdown(self) -> None:
        """Close the listener and every connection, and let their tasks end."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()  # each connection's reader sees EOF and its task ends by itself
        me = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not me]
        if tasks:
            await asyncio.wait(tasks, timeout=2)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(asyncio.start_server(self._client, self.host, self.port))
            self.port = self._server.sockets[0].getsockname()[1]
        except OSError as e:
            self._error = e
            self._started.set()
            return
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    # one connection --------------------------------------------------------------------------
    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session: _Session | None = None
        clean = False
        self._writers.add(writer)
        try:
            kind, _, body = await self._read_packet(reader, timeout=10)
            if kind != CONNECT:
                raise ProtocolError("first packet must be CONNECT")
            session, keepalive = self._connect(body, writer)
            timeout = keepalive * 1.5 if keepalive else None  # the spec's grace: 1.5 x keepalive
            while True:
                kind, flags, body = await self._read_packet(reader, timeout)
                if kind == DISCONNECT:
                    clean = True
                    break
                self._handle(session, kind, flags, body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError, ProtocolError) as e:
            log.debug("mqtt client %s closed: %s", session.client_id if session else "?", e)
        finally:
            if session is not None and self._sessions.get(session.client_id) is session:
                del self._sessions[session.client_id]
                if not clean and session.will is not None:
                    self._publish(session.will)
            self._writers.discard(writer)
            writer.close()

    async def _read_packet(
        self, reader: asyncio.StreamReader, timeout: float | None
    ) -> tuple[int, int, bytes]:
        header = await asyncio.wait_for(reader.readexactly(1), timeout)
        length, shift = 0, 0
        for _ in range(4):
            byte = (await reader.readexactly(1))[0]
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        else:
            raise ProtocolError("malformed remaining length")
        body = await reader.readexactly(length) if length else b""
        return header[0] >> 4, header[0] & 0x0F, body

    def _connect(self, body: bytes, writer: asyncio.StreamWriter) -> tuple[_Session, int]:
        r = _Reader(body)
        name, level, flags, keepalive = r.text(), r.u8(), r.u8(), r.u16()
        if name not in ("MQTT", "MQIsdp") or level not in (3, 4):
            writer.write(packet(CONNACK, 0, b"\x00\x01"))  # unacceptable protocol version
            raise ProtocolError(f"unsupported protocol {name} level {level}")
        client_id = r.text() or f"anon-{id(writer):x}"
        will = None
        if flags & 0x04:
            will_topic, will_payload = r.text(), r.bytes_()
            will = Message(will_topic, will_payload, (flags >> 3) & 0x03, bool(flags & 0x20))
        # username/password (flags 0x80/0x40) are accepted and ignored: a loopback demo broker
        old = self._sessions.pop(client_id, None)
        if old is not None:  # the spec: a second CONNECT with the same id takes the session over
            old.will = None
            old.writer.close()
        session = _Session(client_id, writer, will=will)
        self._sessions[client_id] = session
        writer.write(packet(CONNACK, 0, b"\x00\x00"))
        return session, keepalive

    def _handle(self, session: _Session, kind: int, flags: int, body: bytes) -> None:
        r = _Reader(body)
        if kind == PUBLISH:
            qos, retain = (flags >> 1) & 0x03, bool(flags & 0x01)
            topic = r.text()
            packet_id = r.u16() if qos else 0
            if "+" in topic or "#" in topic:
                raise ProtocolError(f"wildcard in PUBLISH topic {topic!r}")
            self._publish(Message(topic, r.rest(), qos, retain))
            if qos == 1:
                session.send(packet(PUBACK, 0, struct.pack("!H", packet_id)))
            elif qos == 2:
                session.send(packet(PUBREC, 0, struct.pack("!H", packet_id)))
        elif kind == PUBREL:
            session.send(packet(PUBCOMP, 0, body[:2]))
        elif kind == PUBREC:  # we sent QoS 2 to a subscriber; finish its handshake
            session.send(packet(PUBREL, 0x02, body[:2]))
        elif kind in (PUBACK, PUBCOMP):
            pass  # no retransmission queue: nothing to release
        elif kind == SUBSCRIBE:
            packet_id = r.u16()
            granted, new = [], []
            while not r.done():
                filter_, qos = r.text(), r.u8() & 0x03
                session.subscriptions[filter_] = qos
                granted.append(qos)
                new.append(filter_)
            session.send(packet(SUBACK, 0, struct.pack("!H", packet_id) + bytes(granted)))
            for msg in list(self._retained.values()):
                for filter_ in new:
                    if topic_matches(filter_, msg.topic):
                        self._deliver(session, msg, session.subscriptions[filter_], retain=True)
                        break
        elif kind == UNSUBSCRIBE:
            packet_id = r.u16()
            while not r.done():
                session.subscriptions.pop(r.text(), None)
            session.send(packet(UNSUBACK, 0, struct.pack("!H", packet_id)))
        elif kind == PINGREQ:
            session.send(packet(PINGRESP, 0, b""))
        else:
            raise ProtocolError(f"unexpected packet type {kind}")

    def _publish(self, msg: Message) -> None:
        if msg.retain:
            if msg.payload:
                self._retained[msg.topic] = msg
            else:
                self._retained.pop(msg.topic, None)  # an empty retained message clears it
        for session in list(self._sessions.values()):
            qos = max(
                (q for f, q in session.subscriptions.items() if topic_matches(f, msg.topic)), default=-1
            )
            if qos >= 0:
                self._deliver(session, msg, qos, retain=False)

    def _deliver(self, session: _Session, msg: Message, sub_qos: int, *, retain: bool) -> None:
        qos = min(msg.qos, sub_qos)
        session.send(publish_packet(msg.topic, msg.payload, qos, retain, session.packet_id() if qos else 0))


# --- choosing a broker ---------------------------------------------------------------------------


def reachable(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def mosquitto_path() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.access(p, os.X_OK)), None
    )


@dataclass
class BrokerHandle:
    """Where the broker is and how to stop it (a no-op for an external broker)."""

    kind: str  # external | mosquitto | inprocess
    host: str
    port: int
    _stop: Callable[[], None] = lambda: None

    def stop(self) -> None:
        self._stop()


@dataclass
class Mosquitto:
    """A mosquitto child process on a loopback port; `stop()` then `start()` keeps the port, so a
    test or benchmark can stage a broker outage."""

    port: int = 0  # 0: pick a free one
    host: str = "127.0.0.1"
    workdir: Path | None = None  # config (and persistence) go here; a temp dir by default
    persistence: bool = False  # keep sessions and queued messages across restarts
    nodelay: bool = True  # without it the broker's small writes wait for delayed ACKs (Nagle)
    proc: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.port = self.port or free_port(self.host)
        self._own_workdir = self.workdir is None
        self.workdir = self.workdir or Path(tempfile.mkdtemp(prefix="ambient-mosquitto-"))

    def start(self) -> Mosquitto:
        exe = mosquitto_path()
        if exe is None:
            raise FileNotFoundError("mosquitto is not installed (sudo apt-get install mosquitto)")
        assert self.workdir is not None
        lines = [f"listener {self.port} {self.host}", "allow_anonymous true", "message_size_limit 0",
                 "max_queued_messages 1000000", "max_inflight_messages 1000"]  # fmt: skip
        if self.nodelay:
            lines.append("set_tcp_nodelay true")
        if self.persistence:
            lines += [
                f"user {getpass.getuser()}",
                "persistence true",
                f"persistence_location {self.workdir}/",
            ]
        else:
            lines.append("persistence false")
        conf = self.workdir / f"mosquitto-{self.port}.conf"
        conf.write_text("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(
            [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not reachable(self.host, self.port, 0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError(f"mosquitto did not start on {self.host}:{self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None

    def close(self) -> None:
        """Stop for good and remove the temp dir it made."""
        self.stop()
        if self._own_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_mosquitto(host: str = "127.0.0.1", port: int | None = None) -> BrokerHandle:
    broker = Mosquitto(port or 0, host).start()
    return BrokerHandle("mosquitto", host, broker.port, broker.close)


def ensure_broker(host: str, port: int, mode: str | None = None) -> BrokerHandle:
    """A broker to talk to: the configured one if reachable, else mosquitto, else in-process."""
    mode = (mode or os.environ.get("AMBIENT_BROKER") or "auto").lower()
    if mode not in ("auto", "external", "mosquitto", "inprocess"):
        raise ValueError(f"AMBIENT_BROKER={mode!r}: expected auto, external, mosquitto or inprocess")
    if mode in ("auto", "external") and reachable(host, port):
        return BrokerHandle("external", host, port)
    if mode == "external":
        raise ConnectionError(f"no MQTT broker reachable at {host}:{port}")
    if mode in ("auto", "mosquitto") and mosquitto_path() is not None:
        return start_mosquitto()
    if mode == "mosquitto":
        raise FileNotFoundError("mosquitto is not installed (sudo apt-get install mosquitto)")
    broker = InProcessBroker().start()
    return BrokerHandle("inprocess", broker.host, broker.port, broker.stop)
