"""The SQLite store: a real WAL file, turns with their trace, personal rewrites, preferences."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from runtime.events import (
    Action,
    ActionResult,
    Command,
    Interpretation,
    Resolution,
    Rewrite,
    Slot,
    Transcript,
    Turn,
    Wake,
)
from runtime.store import Store


def make_turn(satellite: str = "kitchen-sat", started: float = 1000.0) -> Turn:
    interp = Interpretation(
        "HassTurnOn", 0.93, [Slot("name", "kitchen light", 2, 4)], "turn on the kitchen light"
    )
    return Turn(
        device="maple-hub",
        satellite=satellite,
        started=started,
        wake=Wake("alexa", 0.91, 1.2, satellite),
        transcript=Transcript("turn on the kitchen lite", 0.8, engine="pocketsphinx"),
        rewrite=Rewrite("turn on the kitchen lite", "turn on the kitchen light", "personal"),
        nbest=[interp, Interpretation("HassTurnOff", 0.05)],
        resolution=Resolution(interp, ["kitchen_light"], "kitchen"),
        action=Action("command", [Command("kitchen_light", "home/kitchen/light/set", '{"state":"ON"}')]),
        result=ActionResult("success", "state echoed"),
        timings={"asr_final": 0.05, "nlu": 0.004},
    )


def test_turn_round_trip_with_trace(tmp_path: Path) -> None:
    store = Store(tmp_path / "ambient.db")
    turn = make_turn()
    store.save_turn(turn)
    row = store.turn(turn.id)
    assert row is not None
    assert (row["intent"], row["status"], row["text"]) == (
        "HassTurnOn",
        "success",
        "turn on the kitchen light",
    )
    assert row["wake"]["score"] == 0.91
    assert row["transcript"]["text"] == "turn on the kitchen lite"
    assert row["rewrite"]["source"] == "personal"
    assert [n["intent"] for n in row["nbest"]] == ["HassTurnOn", "HassTurnOff"]
    assert row["resolution"]["device_ids"] == ["kitchen_light"]
    assert row["action"]["commands"][0]["topic"] == "home/kitchen/light/set"
    assert row["timings"] == {"asr_final": 0.05, "nlu": 0.004}
    assert row["barge_in"] is False
    store.close()
    # a real file in WAL mode that another connection can read
    db = sqlite3.connect(tmp_path / "ambient.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT satellite FROM turns").fetchall() == [("kitchen-sat",)]


def test_an_empty_turn_is_stored_too(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    turn = Turn(device="d", satellite="s", failure_point="asr")
    store.save_turn(turn)
    row = store.turn(turn.id)
    assert row is not None and row["intent"] is None and row["transcript"] is None
    assert row["failure_point"] == "asr"


def test_barge_in_and_queries(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")
    a, b = make_turn("kitchen-sat", 1.0), make_turn("living-sat", 2.0)
    store.save_turn(a)
    store.save_turn(b)
    assert store.mark_barge_in(a.id)
    assert not store.mark_barge_in("no-such-turn")
    assert [t["id"] for t in store.turns()] == [b.id, a.id]  # most recent first
    assert [t["id"] for t in store.turns(satellite="kitchen-sat")] == [a.id]
    assert store.turns(since=1.5)[0]["id"] == b.id
    assert store.turn(a.id)["barge_in"] is True  # type: ignore[index]
    b.barge_in = True
    store.save_turn(b)  # saving again replaces, never duplicates
    assert store.count_turns() == 2


def test_concurrent_writers(tmp_path: Path) -> None:
    store = Store(tmp_path / "a.db")

    def write() -> None:
        for _ in range(25):
            store.save_turn(make_turn())

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count_turns() == 100


def test_personal_rewrites_and_preferences_persist(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    store = Store(path)
    store.set_personal_rewrite("anna", "play the beetles", "play the beatles")
    store.set_personal_rewrite("anna", "play the beetles", "play beatles", 0.7)  # replaces
    store.set_preference("anna", "music", ["jazz"])
    store.close()
    store = Store(path)
    [rw] = store.personal_rewrites("anna")
    assert (rw.rewrite, rw.score) == ("play beatles", 0.7)
    assert store.personal_rewrites("bob") == []
    assert store.preferences("anna") == {"music": ["jazz"]}
