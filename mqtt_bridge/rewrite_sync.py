"""Rewrite tables down from the cloud: verified, monotonic, swapped atomically, kept across restarts.

Two retained topics: `<prefix>/rewrites/global` (every device) and `<prefix>/<device>/rewrites`
(this device's personal table). A table is JSON:

    {"version": 7, "created": 1764000000.0,
     "rules": [{"from": "turn of the light", "to": "turn off the light", "score": 0.93}],
     "checksum": sha256 hex of the canonical rules,
     "signature": HMAC-SHA256 hex over the canonical table without "signature"}

Canonical JSON = sorted keys, no spaces, UTF-8. The HMAC key comes from the environment variable
named by `config.mqtt.rewrite_key_env`. A table is refused (and the last good one kept) when it is not
JSON, has the wrong shape, a wrong checksum or signature, or a version not above the current one
(the same version with the same checksum is the retained copy arriving again: silently ignored).
The last good tables are persisted to a JSON file and re-verified when loaded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mqtt_bridge.client import MessageError, MqttClient
from runtime.events import Rewrite
from runtime.rewrite.cache import normalize

log = logging.getLogger(__name__)

Scope = Literal["global", "personal"]
MAX_RULES = 100_000


class TableError(ValueError):
    """Why a table was refused; `reason` is one word for the counters (checksum, signature, stale...)."""

    def __init__(self, message: str, reason: str = "malformed") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    source: str  # "from" on the wire
    target: str  # "to"
    score: float = 1.0


@dataclass(frozen=True)
class SignedTable:
    version: int
    created: float
    rules: tuple[Rule, ...]
    checksum: str
    raw: dict[str, Any]  # the verified table as received, for persisting


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rules_checksum(rules: list[dict[str, Any]]) -> str:
    return hashlib.sha256(_canonical(rules)).hexdigest()


def _signature(table: dict[str, Any], key: bytes) -> str:
    unsigned = {k: v for k, v in table.items() if k != "signature"}
    return hmac.new(key, _canonical(unsigned), hashlib.sha256).hexdigest()


def _key_bytes(key: str | bytes) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else key


def sign_table(
    rules: list[dict[str, Any]], version: int, key: str | bytes, created: float | None = None
) -> dict[str, Any]:
    """The publisher side (cloud): a table ready to be published retained."""
    rules = json.loads(json.dumps(rules))  # a copy: the signed table must not alias the caller's rules
    table: dict[str, Any] = {
        "version": version,
        "created": time.time() if created is None else created,
        "rules": rules,
        "checksum": rules_checksum(rules),
    }
    table["signature"] = _signature(table, _key_bytes(key))
    return table


def verify_table(data: Any, key: bytes) -> SignedTable:
    """Checks shape, checksum and signature; returns the table or raises TableError with the reason."""
    if not isinstance(data, dict):
        raise TableError(f"expected a JSON object, got {type(data).__name__}")
    version, rules, checksum, signature = (data.get(k) for k in ("version", "rules", "checksum", "signature"))
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise TableError(f"version must be a non-negative integer, got {version!r}"[:120])
    created = data.get("created", 0.0)
    if not isinstance(created, int | float) or isinstance(created, bool):
        raise TableError("created must be a timestamp")
    if not isinstance(rules, list) or len(rules) > MAX_RULES:
        raise TableError(f"rules must be a list of at most {MAX_RULES} rules")
    if not isinstance(checksum, str) or not isinstance(signature, str):
        raise TableError("checksum and signature must be hex strings")
    if not hmac.compare_digest(rules_checksum(rules), checksum):
        raise TableError("checksum mismatch (rules were altered or truncated)", "checksum")
    if not hmac.compare_digest(_signature(data, key), signature):
        raise TableError("bad signature (not signed with our key, or altered)", "signature")
    parsed = []
    for i, r in enumerate(rules):
        if not isinstance(r, dict) or not isinstance(r.get("from"), str) or not isinstance(r.get("to"), str):
            raise TableError(f"rules[{i}] needs string 'from' and 'to'")
        score = r.get("score", 1.0)
        if not isinstance(score, int | float) or isinstance(score, bool):
            raise TableError(f"rules[{i}].score must be a number")
        if normalize(r["from"]) and r["to"].strip():
            parsed.append(Rule(r["from"], r["to"], float(score)))
    return SignedTable(version, float(created), tuple(parsed), checksum, data)


class RewriteTables:
    """The device's cache of both tables; `lookup` is personal over global. Thread-safe."""

    def __init__(self, key: str | bytes | None, cache_path: str | Path | None = None) -> None:
        self._key = _key_bytes(key) if key else None
        self.cache_path = Path(cache_path) if cache_path else None
        self._lock = threading.Lock()
        self._tables: dict[Scope, SignedTable | None] = {"global": None, "personal": None}
        self._index: dict[Scope, dict[str, Rule]] = {"global": {}, "personal": {}}
        self.refused: dict[str, int] = {}  # reason kind -> count
        self.last_refusal = ""
        if self.cache_path is not None and self.cache_path.exists():
            self._load()

    # reading ------------------------------------------------------------------------------------
    @property
    def global_rules(self) -> list[Rule]:
        with self._lock:
            t = self._tables["global"]
            return list(t.rules) if t else []

    @property
    def personal_rules(self) -> list[Rule]:
        with self._lock:
            t = self._tables["personal"]
            return list(t.rules) if t else []

    def version(self, scope: Scope) -> int | None:
        with self._lock:
            t = self._tables[scope]
            return t.version if t else None

    def lookup(self, text: str) -> Rewrite | None:
        key = normalize(text)
        with self._lock:
            for scope in ("personal", "global"):
                rule = self._index[scope].get(key)
                if rule is not None:
                    return Rewrite(text, rule.target, scope, rule.score)
        return None

    # writing ------------------------------------------------------------------------------------
    def apply(self, scope: Scope, payload: bytes) -> bool:
        """A table from the wire; True when swapped in. Raises TableError when refused."""
        try:
            return self._apply(scope, payload)
        except TableError as e:
            self.refused[e.reason] = self.refused.get(e.reason, 0) + 1
            self.last_refusal = f"{scope}: {e}"
            raise

    def _apply(self, scope: Scope, payload: bytes) -> bool:
        if self._key is None:
            raise TableError(
                "unverifiable: no HMAC key in the environment (set the rewrite_key_env variable)", "no_key"
            )
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise TableError(f"malformed JSON ({e})") from None
        table = verify_table(data, self._key)
        with self._lock:
            current = self._tables[scope]
            if current is not None:
                if table.version == current.version and table.checksum == current.checksum:
                    return False  # the retained copy again (e.g. after a reconnect)
                if table.version <= current.version:
                    raise TableError(f"stale version {table.version} (have {current.version})", "stale")
            self._swap(scope, table)
        log.info("rewrite table %s v%d applied (%d rules)", scope, table.version, len(table.rules))
        self._save()
        return True

    def _swap(self, scope: Scope, table: SignedTable) -> None:
        # build the index first, then one assignment each: readers see the old or the new table
        index = {normalize(r.source): r for r in table.rules}
        self._tables[scope] = table
        self._index[scope] = index

    # persistence ---------------------------------------------------------------------------------
    def _save(self) -> None:
        if self.cache_path is None:
            return
        with self._lock:
            body = {scope: t.raw for scope, t in self._tables.items() if t is not None}
        tmp = self.cache_path.with_suffix(self.cache_path.suffix + ".tmp")
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(body, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.cache_path)  # atomic: a crash leaves the old file or the new one

    def _load(self) -> None:
        assert self.cache_path is not None
        try:
            body = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            log.warning("ignoring the rewrite cache %s: %s", self.cache_path, e)
            return
        if not isinstance(body, dict) or self._key is None:
            log.warning("ignoring the rewrite cache %s: cannot verify it", self.cache_path)
            return
        scopes: tuple[Scope, ...] = ("global", "personal")
        for scope in scopes:
            if scope in body:
                try:
                    table = verify_table(body[scope], self._key)
                except TableError as e:
                    log.warning("ignoring the cached %s rewrite table: %s", scope, e)
                    continue
                with self._lock:
                    self._swap(scope, table)


class RewriteSync:
    """Routes the two retained table topics into `RewriteTables`."""

    def __init__(self, client: MqttClient, tables: RewriteTables) -> None:
        self.client, self.tables = client, tables

    def start(self) -> None:
        self.client.route(self.client.topics.global_rewrites, self._handler("global"))
        self.client.route(self.client.topics.personal_rewrites, self._handler("personal"))

    def _handler(self, scope: Scope) -> Any:
        def handle(topic: str, payload: bytes) -> None:
            try:
                self.tables.apply(scope, payload)
            except TableError as e:
                raise MessageError(
                    "rewrite_refused", f"{scope} table refused, keeping the last good one: {e}"
                ) from None

        return handle
