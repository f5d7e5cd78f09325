"""Rewrite tables down: signed, checksummed, monotonic, atomic, persisted; bad ones refused."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from conftest import wait_until
from paho.mqtt.enums import CallbackAPIVersion

from mqtt_bridge import Bridge
from mqtt_bridge.rewrite_sync import RewriteTables, TableError, rules_checksum, sign_table, verify_table
from runtime.config import Config
from runtime.context import ContextStore
from runtime.rewrite.cache import RewriteCache

KEY = "s3cret-key"
GLOBAL = [
    {"from": "turn of the light", "to": "turn off the light", "score": 0.9},
    {"from": "play the jazz", "to": "play jazz", "score": 0.8},
]
PERSONAL = [{"from": "Turn of the light!", "to": "turn off the desk lamp", "score": 1.0}]


def encode(table: dict[str, Any]) -> bytes:
    return json.dumps(table).encode()


def test_sign_and_lookup_personal_over_global(tmp_path: Path) -> None:
    tables = RewriteTables(KEY, tmp_path / "rw.json")
    assert tables.apply("global", encode(sign_table(GLOBAL, 1, KEY)))
    hit = tables.lookup("Play the JAZZ")
    assert hit is not None and (hit.text, hit.source, hit.score) == ("play jazz", "global", 0.8)
    assert tables.lookup("turn of the light").text == "turn off the light"  # type: ignore[union-attr]
    assert tables.apply("personal", encode(sign_table(PERSONAL, 1, KEY)))
    hit = tables.lookup("turn of the light")
    assert hit is not None and (hit.text, hit.source) == ("turn off the desk lamp", "personal")
    assert tables.lookup("something else") is None
    assert [r.target for r in tables.global_rules] == ["turn off the light", "play jazz"]
    assert len(tables.personal_rules) == 1
    # the NLU's rewrite cache takes the bridge's tables as its global layer
    assert RewriteCache(tables).lookup("play the jazz").text == "play jazz"  # type: ignore[union-attr]


def test_tampered_tables_are_refused_and_the_old_one_stays(tmp_path: Path) -> None:
    tables = RewriteTables(KEY, tmp_path / "rw.json")
    good = sign_table(GLOBAL, 3, KEY)
    assert tables.apply("global", encode(good))

    altered = copy.deepcopy(sign_table(GLOBAL, 4, KEY))
    altered["rules"][0]["to"] = "unlock the front door"  # rules changed, checksum not
    with pytest.raises(TableError, match="checksum"):
        tables.apply("global", encode(altered))

    altered["checksum"] = rules_checksum(altered["rules"])  # checksum fixed, signature not
    with pytest.raises(TableError, match="signature"):
        tables.apply("global", encode(altered))

    with pytest.raises(TableError, match="signature"):
        tables.apply("global", encode(sign_table(GLOBAL, 5, "someone else's key")))

    bumped = dict(sign_table(GLOBAL, 3, KEY), version=9)  # version raised after signing
    with pytest.raises(TableError, match="signature"):
        tables.apply("global", encode(bumped))

    for garbage in (b"", b"{", b"[]", b'{"version": "7"}', json.dumps({**good, "rules": "x"}).encode()):
        with pytest.raises(TableError):
            tables.apply("global", garbage)

    assert tables.version("global") == 3
    assert tables.lookup("turn of the light").text == "turn off the light"  # type: ignore[union-attr]
    assert tables.refused["checksum"] == 1
    assert tables.refused["signature"] == 3


def test_stale_versions_are_refused_and_redelivery_is_ignored(tmp_path: Path) -> None:
    tables = RewriteTables(KEY)
    v5 = sign_table(GLOBAL, 5, KEY)
    assert tables.apply("global", encode(v5))
    assert tables.apply("global", encode(v5)) is False  # the retained copy again: not an error
    with pytest.raises(TableError, match="stale version 4"):
        tables.apply("global", encode(sign_table(GLOBAL[:1], 4, KEY)))
    with pytest.raises(TableError, match="stale version 5"):
        tables.apply("global", encode(sign_table(GLOBAL[:1], 5, KEY)))  # same version, other rules
    assert tables.version("global") == 5
    assert len(tables.global_rules) == 2
    assert tables.apply("global", encode(sign_table(GLOBAL[:1], 6, KEY)))
    assert tables.lookup("play the jazz") is None
    # the scopes are versioned independently
    assert tables.apply("personal", encode(sign_table(PERSONAL, 1, KEY)))


def test_without_a_key_nothing_is_trusted(tmp_path: Path) -> None:
    tables = RewriteTables(None)
    with pytest.raises(TableError, match="no HMAC key"):
        tables.apply("global", encode(sign_table(GLOBAL, 1, KEY)))
    assert tables.global_rules == []


def test_last_good_tables_survive_a_restart(tmp_path: Path) -> None:
    cache = tmp_path / "rw.json"
    tables = RewriteTables(KEY, cache)
    tables.apply("global", encode(sign_table(GLOBAL, 2, KEY)))
    tables.apply("personal", encode(sign_table(PERSONAL, 7, KEY)))
    again = RewriteTables(KEY, cache)
    assert (again.version("global"), again.version("personal")) == (2, 7)
    assert again.lookup("turn of the light").source == "personal"  # type: ignore[union-attr]
    with pytest.raises(TableError, match="stale"):  # monotonic across restarts too
        again.apply("global", encode(sign_table(GLOBAL, 1, KEY)))

    body = json.loads(cache.read_text())
    body["global"]["rules"][0]["to"] = "open the garage"  # someone edits the file
    cache.write_text(json.dumps(body))
    edited = RewriteTables(KEY, cache)
    assert edited.version("global") is None  # refused on load
    assert edited.version("personal") == 7
    cache.write_text("{ not json")
    assert RewriteTables(KEY, cache).version("global") is None  # a broken file is ignored


def test_verify_rejects_bad_rule_shapes() -> None:
    for rules in (
        [{"from": "a"}],
        [{"from": 1, "to": "b"}],
        [{"from": "a", "to": "b", "score": "high"}],
        ["a"],
    ):
        with pytest.raises(TableError):
            verify_table(sign_table(rules, 1, KEY), KEY.encode())  # type: ignore[arg-type]


# --- through the broker --------------------------------------------------------------------------


def test_tables_sync_over_retained_topics(config: Config, broker: Any, tmp_path: Path) -> None:
    cfg = dataclasses.replace(
        config, mqtt=dataclasses.replace(config.mqtt, host=broker.host, port=broker.port)
    )
    cloud = mqtt.Client(CallbackAPIVersion.VERSION2)
    cloud.connect(broker.host, broker.port)
    cloud.loop_start()

    def publish(topic: str, payload: bytes) -> None:
        cloud.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)

    publish("ambient/rewrites/global", encode(sign_table(GLOBAL, 1, KEY)))
    publish("ambient/maple-hub/rewrites", encode(sign_table(PERSONAL, 1, KEY)))
    publish("ambient/other-hub/rewrites", encode(sign_table([{"from": "x", "to": "y"}], 1, KEY)))

    env = {"AMBIENT_REWRITE_KEY": KEY}
    bridge = Bridge(cfg, ContextStore(cfg), tmp_path / "o.sqlite", env=env)
    assert bridge.start(wait_s=10)
    assert wait_until(
        lambda: bridge.rewrites.version("global") == 1 and bridge.rewrites.version("personal") == 1
    )
    assert bridge.rewrites.lookup("turn of the light").source == "personal"  # type: ignore[union-attr]
    assert bridge.rewrites.lookup("x") is None  # another device's personal table is not ours

    publish("ambient/rewrites/global", encode(sign_table(GLOBAL[1:], 2, KEY)))
    assert wait_until(lambda: bridge.rewrites.version("global") == 2)

    tampered = sign_table(GLOBAL, 3, KEY)
    tampered["rules"][1]["to"] = "unlock the front door"
    publish("ambient/rewrites/global", encode(tampered))  # retained garbage on our topic
    publish("ambient/rewrites/global", encode(sign_table(GLOBAL, 1, KEY)))  # a replayed old table
    assert wait_until(lambda: bridge.counters().get("dropped_rewrite_refused", 0) == 2)
    assert bridge.rewrites.version("global") == 2
    assert bridge.rewrites.lookup("play the jazz").text == "play jazz"  # type: ignore[union-attr]
    assert bridge.rewrites.refused == {"checksum": 1, "stale": 1}
    bridge.stop(flush_timeout_s=1)

    # restarted: the cached v2 is loaded, the retained (replayed v1) is refused as stale
    again = Bridge(cfg, ContextStore(cfg), tmp_path / "o.sqlite", env=env)
    assert again.rewrites.version("global") == 2
    assert again.start(wait_s=10)
    assert wait_until(lambda: again.rewrites.refused.get("stale") == 1)
    assert again.rewrites.version("global") == 2
    again.stop(flush_timeout_s=1)
    cloud.disconnect()
    cloud.loop_stop()
