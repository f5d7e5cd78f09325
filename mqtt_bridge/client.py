"""One MQTT connection for the whole bridge: paho-mqtt 2, reconnecting forever, never losing a route.

- Reconnects with exponential backoff and jitter in its own network thread (our loop instead of
  paho's, so the delay policy is ours and the retry count is observable).
- A retained last will `offline` on `<prefix>/<device>/status`; retained `online` on every connect,
  plus a retained JSON health snapshot on `<prefix>/<device>/health`.
- TLS from `config.mqtt.tls`; username/password from the environment (AMBIENT_MQTT_USERNAME /
  AMBIENT_MQTT_PASSWORD) or `config.mqtt.credentials_file` (KEY=VALUE lines), never from devices.yaml.
- A persistent session (clean_session=False, stable client id) so QoS 1 subscriptions survive a
  reconnect, and every route is resubscribed on connect anyway (a broker restart loses sessions).
- Incoming messages are routed by exact topic (a dict lookup: cheap with 10,000 devices) or by
  wildcard filter; a handler's exception is counted and logged (rate limited), never raised into paho.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import socket
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode

from mqtt_bridge.topics import Topics, is_filter, topic_matches
from runtime.config import Config, ConfigError

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], None]
MAX_PAYLOAD = 256 * 1024  # bigger messages on our routes are dropped unparsed
SUBSCRIBE_CHUNK = 200  # topics per SUBSCRIBE packet


class MessageError(ValueError):
    """A message we cannot use; the handler raises it with the reason, the router counts it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(f"{reason}: {detail}" if detail else reason)


# --- small pure helpers --------------------------------------------------------------------------


def backoff_delay(attempt: int, min_s: float, max_s: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: a random delay in [cap/2, cap], cap = min(max, min*2^attempt).

    The jitter keeps a house full of devices from reconnecting in lockstep after a broker restart.
    """
    cap = min(max_s, min_s * (2 ** min(attempt, 30)))
    return (rng or random).uniform(cap / 2, cap)


def read_credentials_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; blank lines and `#` comments ignored; values may be quoted."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def credentials(config: Config, env: dict[str, str] | None = None) -> tuple[str | None, str | None]:
    """(username, password): the environment wins over the credentials file."""
    env = dict(os.environ) if env is None else env
    user, password = env.get("AMBIENT_MQTT_USERNAME"), env.get("AMBIENT_MQTT_PASSWORD")
    if config.mqtt.credentials_file and (user is None or password is None):
        path = config.resolve_path(config.mqtt.credentials_file)
        try:
            values = read_credentials_file(path)
        except OSError as e:
            raise ConfigError(
                config.path, 0, "mqtt.credentials_file", f"cannot read {path}: {e.strerror or e}"
            ) from None
        user = user if user is not None else values.get("AMBIENT_MQTT_USERNAME")
        password = password if password is not None else values.get("AMBIENT_MQTT_PASSWORD")
    return user, password


class RateLimitedLog:
    """Logs a problem once per key and interval, then how many were suppressed; bounded memory."""

    def __init__(
        self,
        logger: logging.Logger,
        interval_s: float = 60.0,
        max_keys: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger, self.interval_s, self.max_keys, self.clock = logger, interval_s, max_keys, clock
        self._seen: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def warning(self, key: str, message: str) -> bool:
        now = self.clock()
        with self._lock:
            last, suppressed = self._seen.get(key, (-1e18, 0))
            if now - last < self.interval_s:
                self._seen[key] = (last, suppressed + 1)
                return False
            self._seen[key] = (now, 0)
            self._seen.move_to_end(key)
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
        extra = f" ({suppressed} similar suppressed)" if suppressed else ""
        self.logger.warning("%s%s", message, extra)
        return True


class Stats:
    """Counters of what happened to messages (received, dropped and why, ...). Thread-safe."""

    def __init__(self) -> None:
        self._c: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._c[name] += n

    def __getitem__(self, name: str) -> int:
        with self._lock:
            return self._c[name]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._c)


# --- the client ----------------------------------------------------------------------------------


class MqttClient:
    """The bridge's single connection; thread-safe `publish`, `route`, `unroute`."""

    def __init__(
        self,
        config: Config,
        *,
        client_id: str | None = None,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 60.0,
        max_payload: int = MAX_PAYLOAD,
        status: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.config = config
        self.topics = Topics(config.mqtt.prefix, config.home.device_id)
        self.client_id = client_id or f"ambient-{config.home.device_id}"
        self.reconnect_min_s, self.reconnect_max_s = reconnect_min_s, reconnect_max_s
        self.max_payload = max_payload
        self.stats = Stats()
        self.bad = RateLimitedLog(log)
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # the broker acknowledged this connection's subscriptions
        self._suback_pending: set[int] = set()
        self.connects = 0  # successful CONNACKs
        self.failed_connects = 0  # attempts that did not get a connection
        self.health: Callable[[], dict[str, Any]] = dict  # the bridge installs its own
        self.on_puback: Callable[[int], None] | None = None
        self._status = status
        self._exact: dict[str, list[Handler]] = {}
        self._filters: dict[str, list[Handler]] = {}
        self._subs: dict[str, int] = {}  # topic or filter -> qos
        self._lock = threading.RLock()
        self._connect_hooks: list[Callable[[], None]] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._rng = random.Random()
        self._delivered = 0  # messages handed to us by paho (the network thread's progress)
        self._paho = self._make_paho(env)

    def _make_paho(self, env: dict[str, str] | None) -> mqtt.Client:
        c = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=False,  # the broker keeps our QoS 1 subscriptions across reconnects
            protocol=mqtt.MQTTv311,
        )
        user, password = credentials(self.config, env)
        if user is not None:
            c.username_pw_set(user, password)
        tls = self.config.mqtt.tls
        if tls is not None:
            files = {"ca_file": tls.ca_file, "cert_file": tls.cert_file, "key_file": tls.key_file}
            paths: dict[str, str | None] = {}
            for name, value in files.items():
                if value is None:
                    paths[name] = None
                    continue
                p = self.config.resolve_path(value)
                if not p.is_file():
                    raise ConfigError(self.config.path, 0, f"mqtt.tls.{name}", f"file not found: {p}")
                paths[name] = str(p)
            c.tls_set(ca_certs=paths["ca_file"], certfile=paths["cert_file"], keyfile=paths["key_file"])
        if self._status:
            c.will_set(self.topics.status, "offline", qos=1, retain=True)
        c.max_inflight_messages_set(200)
        c.max_queued_messages_set(0)
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        c.on_publish = self._on_publish
        c.on_subscribe = self._on_subscribe
        return c

    # lifecycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"mqtt-{self.client_id}", daemon=True)
        self._thread.start()

    def wait_connected(self, timeout: float | None = None) -> bool:
        """Connected, and the on-connect subscriptions acknowledged: a message published after this
        returns reaches our handlers."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.connected.wait(timeout):
            return False
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        return self.subscribed.wait(left) and self.connected.is_set()

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any, props: Any) -> None:
        with self._lock:
            self._suback_pending.discard(mid)
            if not self._suback_pending:
                self.subscribed.set()

    def stop(self, offline: bool = True, timeout: float = 2.0) -> None:
        """Publish `offline` (a clean disconnect does not fire the will), disconnect, join."""
        if self._thread is None:
            return
        if offline and self._status and self.connected.is_set():
            infos = [
                self.publish_health("offline"),
                self._paho.publish(self.topics.status, "offline", qos=1, retain=True),
            ]
            for info in infos:
                try:
                    if info is not None:
                        info.wait_for_publish(timeout)
                except (RuntimeError, ValueError):
                    pass  # not connected any more: the will says offline for us
        self._stopping.set()
        self._paho.disconnect()
        self._thread.join(timeout=5)
        self._thread = None
        self.connected.clear()

    def _run(self) -> None:
        attempt = 0
        first = True
        while not self._stopping.is_set():
            try:
                if first:
                    self._paho.connect(
                        self.config.mqtt.host, self.config.mqtt.port, self.config.mqtt.keepalive
                    )
                    first = False
                else:
                    self._paho.reconnect()
            except (OSError, ValueError) as e:
                self.failed_connects += 1
                delay = backoff_delay(attempt, self.reconnect_min_s, self.reconnect_max_s, self._rng)
                if attempt == 0 or attempt % 10 == 0:
                    log.warning(
                        "MQTT broker %s:%s unreachable (%s); retrying in %.1f s",
                        self.config.mqtt.host,
                        self.config.mqtt.port,
                        e,
                        delay,
                    )
                attempt += 1
                self._stopping.wait(delay)
                continue
            self._no_delay()
            connects_before = self.connects
            while not self._stopping.is_set():
                rc = self._paho.loop(timeout=0.05)
                if rc == MQTTErrorCode.MQTT_ERR_SUCCESS:
                    rc = self._drain()
                if rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
                    break
            if self._stopping.is_set():
                self._paho.loop(timeout=0.05)  # let the DISCONNECT go out
                break
            if self.connects > connects_before:
                attempt = 0  # we had a working connection: start the backoff afresh
            else:
                self.failed_connects += 1
            delay = backoff_delay(attempt, self.reconnect_min_s, self.reconnect_max_s, self._rng)
            attempt += 1
            self._stopping.wait(delay)

    def _drain(self, max_packets: int = 100) -> MQTTErrorCode:
        """Reads further messages without a select() each: paho's loop() reads one packet per select,
        which under a burst of state messages cost ~15% of the network thread. Stops at the first
        read that delivered no message (no data, or a packet that is not a PUBLISH)."""
        for _ in range(max_packets):
            before = self._delivered
            rc = self._paho.loop_read()
            if rc != MQTTErrorCode.MQTT_ERR_SUCCESS or self._delivered == before:
                return rc
        return MQTTErrorCode.MQTT_ERR_SUCCESS

    def _no_delay(self) -> None:
        """Small MQTT packets must not wait for Nagle's algorithm (up to 40 ms with delayed ACKs)."""
        sock = self._paho.socket()
        if isinstance(sock, socket.socket):  # ssl.SSLSocket is one too
            with contextlib.suppress(OSError):  # not a TCP socket (a websocket wrapper): nothing to tune
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # paho callbacks (network thread) -------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("MQTT broker refused the connection: %s", reason)
            return
        self.connects += 1
        log.info("MQTT connected to %s:%s", self.config.mqtt.host, self.config.mqtt.port)
        if self._status:
            client.publish(self.topics.status, "online", qos=1, retain=True)
            self.publish_health()
        with self._lock:
            subs = list(self._subs.items())
            hooks = list(self._connect_hooks)
        self.subscribed.clear()
        with self._lock:
            self._suback_pending.clear()
            for i in range(0, len(subs), SUBSCRIBE_CHUNK):
                _, mid = client.subscribe(subs[i : i + SUBSCRIBE_CHUNK])
                if mid is not None:
                    self._suback_pending.add(mid)
            if not self._suback_pending:
                self.subscribed.set()
        for hook in hooks:  # before `connected` is set: the uplink restarts its window first
            try:
                hook()
            except Exception:  # a hook must not break the connection
                log.exception("MQTT on-connect hook failed")
        self.connected.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        was = self.connected.is_set()
        self.connected.clear()
        if was and not self._stopping.is_set():
            log.warning("MQTT connection lost (%s); reconnecting", reason)

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        # Called with paho's message lock held: the hook must only hand the mid over, never block.
        hook = self.on_puback
        if hook is not None:
            hook(mid)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._delivered += 1
        try:
            topic = message.topic
        except UnicodeDecodeError:
            self.stats.add("dropped_bad_topic")
            self.bad.warning("bad-topic", "MQTT message with a non-UTF-8 topic dropped")
            return
        self.dispatch(topic, bytes(message.payload))

    def dispatch(self, topic: str, payload: bytes) -> None:
        """Route one message to its handlers; nothing raises out of here (tests call it directly)."""
        self.stats.add("received")
        handlers = self._exact.get(topic)
        if handlers is None or self._filters:
            handlers = [*(handlers or ()), *self._matching_filters(topic)]
        if not handlers:
            self.stats.add("dropped_unrouted")
            return
        if len(payload) > self.max_payload:
            self.stats.add("dropped_oversize")
            self.bad.warning(
                f"oversize:{topic}",
                f"MQTT {topic}: {len(payload)} byte payload dropped (max {self.max_payload})",
            )
            return
        for handler in handlers:
            try:
                handler(topic, payload)
            except MessageError as e:
                self.stats.add(f"dropped_{e.reason}")
                self.bad.warning(f"{e.reason}:{topic}", f"MQTT {topic}: dropped: {e}")
            except Exception as e:  # a bug or an input we did not foresee: count it, keep running
                self.stats.add("handler_errors")
                self.bad.warning(f"error:{topic}", f"MQTT {topic}: handler failed: {e!r}")

    def _matching_filters(self, topic: str) -> list[Handler]:
        filters = list(self._filters.items())  # one C-level copy: safe against concurrent routes
        out: list[Handler] = []
        for flt, handlers in filters:
            if topic_matches(flt, topic):
                out.extend(handlers)
        return out

    # routes -------------------------------------------------------------------------------------
    def route(self, topic: str, handler: Handler, qos: int = 1) -> None:
        self.route_many([topic], handler, qos)

    def route_many(self, topics: Iterable[str], handler: Handler, qos: int = 1) -> None:
        """Send messages on these topics (or filters) to `handler`; subscribe now if connected."""
        new: list[tuple[str, int]] = []
        with self._lock:
            for topic in topics:
                table = self._filters if is_filter(topic) else self._exact
                table[topic] = [*table.get(topic, []), handler]  # copy on write: readers take no lock
                if self._subs.get(topic, -1) < qos:
                    self._subs[topic] = qos
                    new.append((topic, qos))
        if new and self.connected.is_set():
            for i in range(0, len(new), SUBSCRIBE_CHUNK):
                self._paho.subscribe(new[i : i + SUBSCRIBE_CHUNK])

    def unroute(self, topic: str, handler: Handler) -> None:
        with self._lock:
            table = self._filters if is_filter(topic) else self._exact
            left = [h for h in table.get(topic, []) if h != handler]
            if left:
                table[topic] = left
                return
            table.pop(topic, None)
            self._subs.pop(topic, None)
        if self.connected.is_set():
            self._paho.unsubscribe(topic)

    def routed(self, topic: str) -> bool:
        return topic in self._exact or topic in self._filters

    def add_connect_hook(self, hook: Callable[[], None]) -> None:
        with self._lock:
            self._connect_hooks.append(hook)

    # publishing ---------------------------------------------------------------------------------
    def publish(
        self, topic: str, payload: str | bytes, qos: int = 0, retain: bool = False
    ) -> mqtt.MQTTMessageInfo:
        return self._paho.publish(topic, payload, qos=qos, retain=retain)

    def publish_health(self, status: str = "online") -> mqtt.MQTTMessageInfo | None:
        """Retained JSON next to the status: {"status", "client_id", "time", ...the bridge's counters}."""
        if not self._status:
            return None
        body: dict[str, Any] = {"status": status, "client_id": self.client_id, "time": time.time()}
        try:
            body.update(self.health())
        except Exception:
            log.exception("health snapshot failed")
        return self._paho.publish(self.topics.health, json.dumps(body, default=str), qos=1, retain=True)
