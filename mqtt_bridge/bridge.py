"""The bridge the daemon uses: one MQTT connection carrying state in, commands out, events up and
rewrite tables down.

    bridge = Bridge(config, ctx, outbox_path="~/.local/state/ambient/outbox.sqlite")
    bridge.start()
    bridge.send_turn(turn)                  # durable first, then QoS 1 (see uplink.py)
    result = bridge.execute(action.commands)  # ActionResult confirmed by state echo
    bridge.rewrites.lookup("turn of the light")
    bridge.hermes.intent(interpretation)    # no-op unless config.mqtt.hermes
    bridge.stop()                           # flush the outbox, publish offline

`bridge.counters()` says what was received, applied and dropped (and why): malformed payloads,
unknown devices, oversized messages and refused tables are counted there, logged once per topic
(rate limited), and never raised into the network thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mqtt_bridge.announce import Announcer
from mqtt_bridge.client import MAX_PAYLOAD, MqttClient
from mqtt_bridge.commands import CommandExecutor
from mqtt_bridge.hermes import Hermes
from mqtt_bridge.rewrite_sync import RewriteSync, RewriteTables
from mqtt_bridge.state import StateIngest
from mqtt_bridge.uplink import Outbox, Uplink
from runtime.config import Config
from runtime.context import ContextStore
from runtime.events import ActionResult, Command, Feedback, Turn, to_dict

log = logging.getLogger(__name__)


class Bridge:
    def __init__(
        self,
        config: Config,
        ctx: ContextStore,
        outbox_path: str | Path,
        *,
        rewrite_cache_path: str | Path | None = None,
        command_timeout_s: float = 2.0,
        client_id: str | None = None,
        reconnect_min_s: float = 0.5,
        reconnect_max_s: float = 60.0,
        outbox_max_rows: int = 100_000,
        outbox_max_bytes: int = 64 * 1024 * 1024,
        uplink_window: int = 100,
        max_payload: int = MAX_PAYLOAD,
        env: dict[str, str] | None = None,
    ) -> None:
        env = dict(os.environ) if env is None else env
        self.config, self.ctx = config, ctx
        self.client = MqttClient(
            config,
            client_id=client_id,
            reconnect_min_s=reconnect_min_s,
            reconnect_max_s=reconnect_max_s,
            max_payload=max_payload,
            env=env,
        )
        outbox_path = Path(outbox_path).expanduser()
        self.outbox = Outbox(outbox_path, max_rows=outbox_max_rows, max_bytes=outbox_max_bytes)
        self.uplink = Uplink(self.client, self.outbox, window=uplink_window)
        self.state = StateIngest(self.client, ctx, discovery=config.mqtt.discovery)
        cache = Path(rewrite_cache_path) if rewrite_cache_path else outbox_path.with_name("rewrites.json")
        self.rewrites = RewriteTables(env.get(config.mqtt.rewrite_key_env), cache)
        self.rewrite_sync = RewriteSync(self.client, self.rewrites)
        self.commands = CommandExecutor(self.client, ctx, command_timeout_s)
        self.hermes = Hermes(self.client, config.home.device_id, config.mqtt.hermes)
        speaking = {s.room for s in config.satellites if s.speaker}
        self.announcer = Announcer(
            self.client, config.home.device_id, [r for r in config.rooms if r.id in speaking]
        )
        self.client.health = self._health

    # lifecycle ----------------------------------------------------------------------------------
    def start(self, wait_s: float = 0.0) -> bool:
        """Routes everything, then connects (in the background); True if connected within wait_s."""
        self.state.start()
        self.rewrite_sync.start()
        self.announcer.start()
        self.uplink.start()
        self.client.start()
        return self.client.wait_connected(wait_s) if wait_s > 0 else self.client.connected.is_set()

    def stop(self, flush_timeout_s: float = 5.0) -> bool:
        """Tries to empty the outbox, publishes offline, disconnects. False if rows were left (they
        stay in the outbox file and go out on the next start)."""
        flushed = (
            self.uplink.flush(flush_timeout_s) if self.client.connected.is_set() else not len(self.outbox)
        )
        self.uplink.stop()
        self.client.stop()
        left = len(self.outbox)
        if left:
            log.warning("stopping with %d events still in the uplink outbox %s", left, self.outbox.path)
        self.outbox.close()
        return flushed

    def reload(self, config: Config) -> None:
        """A re-read devices.yaml (SIGHUP): subscribe added devices, drop removed ones. Connection
        settings (host, port, TLS, prefix, device id) take effect at the next start only."""
        if (config.mqtt, config.home.device_id) != (self.config.mqtt, self.config.home.device_id):
            log.warning("MQTT connection settings changed in %s: they apply after a restart", config.path)
        self.config = config
        self.ctx.config = config
        routed, unrouted = self.state.reload()
        log.info("MQTT bridge reloaded: %d devices subscribed, %d unsubscribed", routed, unrouted)

    # the daemon's calls -------------------------------------------------------------------------
    def send_turn(self, turn: Turn | dict[str, Any]) -> str:
        return self.uplink.send("turn", to_dict(turn) if isinstance(turn, Turn) else dict(turn))

    def send_feedback(self, feedback: Feedback | dict[str, Any]) -> str:
        return self.uplink.send(
            "feedback", to_dict(feedback) if isinstance(feedback, Feedback) else dict(feedback)
        )

    def execute(self, commands: Sequence[Command], timeout_s: float | None = None) -> ActionResult:
        return self.commands.execute(commands, timeout_s)

    @property
    def last_publish_s(self) -> float | None:
        """Seconds from the last execute() call to the broker's PUBACK of its last command."""
        return self.commands.last_publish_s

    def handle(self, topic: str, payload: bytes) -> None:
        """The message handler the network thread calls (exposed for tests and replay)."""
        self.client.dispatch(topic, payload)

    # observability ------------------------------------------------------------------------------
    def counters(self) -> dict[str, Any]:
        return {
            **self.client.stats.snapshot(),
            "outbox_rows": len(self.outbox),
            "outbox_bytes": self.outbox.size_bytes,
            "uplink_sent": self.uplink.sent,
            "uplink_dropped": self.outbox.dropped(),
            "rewrites_refused": dict(self.rewrites.refused),
            "connects": self.client.connects,
            "failed_connects": self.client.failed_connects,
        }

    def _health(self) -> dict[str, Any]:
        return {
            "outbox_rows": len(self.outbox),
            "uplink_dropped": self.outbox.dropped(),
            "rewrites": {s: self.rewrites.version(s) for s in ("global", "personal")},
            "devices": len(self.ctx.devices()),
        }
