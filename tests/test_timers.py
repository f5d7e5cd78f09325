"""Timers: pause, resume, add and take off time, status; and what resolve and dispatch make of the
five timer intents (HassTimerStatus, HassPauseTimer, HassUnpauseTimer, HassIncreaseTimer,
HassDecreaseTimer). Real threads and the monotonic clock, with generous bounds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from runtime.clock import said_time
from runtime.config import Config, Satellite
from runtime.context import ContextStore
from runtime.dispatch import dispatch, duration_text, ring_text, timer_answer
from runtime.events import Interpretation, Slot
from runtime.resolve import resolve
from runtime.store import Store
from runtime.timers import ALARM, WEEKDAYS_ONLY, Repeat, RunningTimer, Timers, saved


class Rings:
    def __init__(self) -> None:
        self.timers: list[RunningTimer] = []
        self.rang = threading.Event()

    def __call__(self, timer: RunningTimer) -> None:
        self.timers.append(timer)
        self.rang.set()


@pytest.fixture
def rings() -> Rings:
    return Rings()


@pytest.fixture
def timers(rings: Rings) -> Iterator[Timers]:
    t = Timers(rings)
    yield t
    for sat in {r.satellite for r in t.running()}:
        t.cancel_all(sat)


def test_pause_keeps_the_time_left_and_resume_rings_after_it(timers: Timers, rings: Rings) -> None:
    timers.start("kitchen", 1)
    paused = timers.pause("kitchen")
    assert paused is not None and paused.paused and 0.5 < paused.remaining() <= 1
    left = paused.remaining()
    time.sleep(1.5)  # longer than the timer: paused, it must not ring nor lose time
    assert not rings.timers
    (still,) = timers.running("kitchen")
    assert still.paused and still.remaining() == left
    assert timers.pause("kitchen") == still  # pausing again changes nothing
    resumed = timers.unpause("kitchen")
    assert resumed is not None and not resumed.paused and resumed.remaining() <= left
    assert rings.rang.wait(10)
    assert [t.id for t in rings.timers] == [still.id] and timers.running() == []


def test_a_timer_is_paused_and_resumed_by_its_id(timers: Timers) -> None:
    """The answer to "Which one should I pause?" pauses that one, not the latest (and in a worker
    thread: a lock taken twice would hang, not fail)."""
    first = timers.start("kitchen-sat", 300)
    timers.start("kitchen-sat", 600)
    done: list[RunningTimer | None] = []
    worker = threading.Thread(target=lambda: done.append(timers.set_paused(first.id, True)), daemon=True)
    worker.start()
    worker.join(5)
    assert done and done[0] is not None and done[0].id == first.id and done[0].paused
    assert [t.seconds for t in timers.running("kitchen-sat") if t.paused] == [300]
    resumed = timers.set_paused(first.id, False)
    assert resumed is not None and not resumed.paused
    assert timers.set_paused(999, True) is None


def test_adding_and_taking_off_time(timers: Timers, rings: Rings) -> None:
    timers.start("kitchen", 600)
    longer = timers.add("kitchen", 300)
    assert longer is not None and 890 < longer.remaining() <= 900
    assert longer.seconds == 600  # still "the ten minute timer"
    shorter = timers.add("kitchen", -120)
    assert shorter is not None and 770 < shorter.remaining() <= 780
    # while paused the change is kept, and it stays paused
    timers.pause("kitchen")
    paused = timers.add("kitchen", -60)
    assert paused is not None and paused.paused and 710 < paused.remaining() <= 720
    assert not rings.timers


def test_taking_off_time_rings_it_sooner(timers: Timers, rings: Rings) -> None:
    timers.start("kitchen", 600)
    soon = timers.add("kitchen", -599)
    assert soon is not None and soon.remaining() <= 1
    assert rings.rang.wait(10) and timers.running() == []


@pytest.mark.parametrize("paused", [False, True])
def test_taking_off_all_that_is_left_ends_it_now(timers: Timers, rings: Rings, paused: bool) -> None:
    timers.start("kitchen", 600)
    if paused:
        timers.pause("kitchen")
    done = timers.add("kitchen", -900)
    assert done is not None and done.remaining() == 0 and not done.paused
    assert timers.running() == []
    time.sleep(0.2)
    assert rings.timers == []  # the caller says it is done, in its answer: no second ring


def test_the_timer_meant_is_the_named_or_sized_one_else_the_latest(timers: Timers) -> None:
    pizza = timers.start("kitchen", 600, "pizza")
    eggs = timers.start("kitchen", 300, "eggs")
    other = timers.start("bedroom", 60)
    assert timers.find("kitchen") == eggs  # the most recently started
    assert timers.find("kitchen", name="pizza") == pizza
    assert timers.find("kitchen", seconds=600) == pizza
    # no such timer: none ("cancel the egg timer" cancelled the pasta timer)
    assert timers.find("kitchen", name="bread") is None
    assert timers.find("bedroom") == other and timers.find("bedroom", name="bread") == other
    # a name this satellite has no timer of: the home's timer of that name ("the pizza timer" asked
    # in another room); unnamed, only this satellite's timers
    assert timers.find("bedroom", name="pizza") == pizza and timers.find("hall", name="eggs") == eggs
    assert timers.find("hall") is None
    p = timers.pause("kitchen", name="pizza")
    assert p is not None and p.id == pizza.id and p.paused
    assert not next(t for t in timers.running() if t.id == eggs.id).paused
    assert timers.unpause("hall") is None and timers.add("hall", 10) is None


def test_many_threads_at_once_leave_one_consistent_timer(timers: Timers, rings: Rings) -> None:
    timers.start("kitchen", 3600)

    def churn() -> None:
        for _ in range(50):
            timers.pause("kitchen")
            timers.add("kitchen", 1)
            timers.unpause("kitchen")
            timers.add("kitchen", -1)

    threads = [threading.Thread(target=churn) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    (timer,) = timers.running("kitchen")
    assert 3500 < timer.remaining() <= 3600
    time.sleep(0.2)
    assert rings.timers == []  # no stale thread rang it


# resolve and dispatch -----------------------------------------------------------------------------


def interp(intent: str, **slots: str) -> Interpretation:
    return Interpretation(intent, 0.9, [Slot(k, v) for k, v in slots.items()])


@pytest.fixture
def ctx(config: Config) -> ContextStore:
    return ContextStore(config)


def test_resolving_the_timer_intents(ctx: ContextStore, kitchen: Satellite) -> None:
    assert resolve(interp("HassTimerStatus"), ctx, kitchen).values == {}
    assert resolve(interp("HassPauseTimer", name="Pizza"), ctx, kitchen).values == {"timer_name": "pizza"}
    r = resolve(interp("HassUnpauseTimer", start_minutes="five", area="hall"), ctx, kitchen)
    assert r.clarification is None and r.values == {"timer_seconds": 300}
    add = resolve(interp("HassIncreaseTimer", minutes="5", name="pizza"), ctx, kitchen)
    assert add.values == {"seconds": 300, "timer_name": "pizza"}
    off = resolve(interp("HassDecreaseTimer", seconds="half", start_hours="one"), ctx, kitchen)
    assert off.values == {"seconds": 30, "timer_seconds": 3600}
    start = resolve(interp("HassStartTimer", minutes="ten", name="pizza"), ctx, kitchen)
    assert start.values == {"seconds": 600, "timer_name": "pizza"}


@pytest.mark.parametrize(
    ("intent", "slots"),
    [
        ("HassIncreaseTimer", {}),
        ("HassDecreaseTimer", {"minutes": "blue"}),
        ("HassIncreaseTimer", {"hours": "ninety thousand"}),
        ("HassPauseTimer", {"start_minutes": "blue"}),
    ],
)
def test_timer_changes_without_a_usable_amount_ask(
    ctx: ContextStore, kitchen: Satellite, intent: str, slots: dict[str, str]
) -> None:
    r = resolve(interp(intent, **slots), ctx, kitchen)
    assert r.clarification is not None
    assert dispatch(r, ctx).kind == "clarify"


def test_dispatch_alone_has_no_timer_to_act_on(ctx: ContextStore, kitchen: Satellite) -> None:
    for intent in ("HassTimerStatus", "HassPauseTimer", "HassUnpauseTimer"):
        a = dispatch(resolve(interp(intent), ctx, kitchen), ctx)
        assert (a.kind, a.text) == ("answer", "There is no timer running.")
    a = dispatch(resolve(interp("HassIncreaseTimer", minutes="5"), ctx, kitchen), ctx)
    assert (a.kind, a.text) == ("answer", "There is no timer running.")


def test_timer_answers() -> None:
    now = time.monotonic()
    t = RunningTimer(1, "kitchen", 300, now, ends=now + 190.4)
    assert timer_answer("HassTimerStatus", {}, t) == "3 minutes and 10 seconds left on your timer."
    pizza = RunningTimer(1, "kitchen", 600, now, "pizza", paused_left=61.0)
    assert (
        timer_answer("HassTimerStatus", {}, pizza)
        == "Your pizza timer is paused with 1 minute and 1 second left."
    )
    assert timer_answer("HassPauseTimer", {}, pizza) == "Pizza timer paused."
    assert timer_answer("HassUnpauseTimer", {}, t) == "Timer resumed."
    eight = RunningTimer(1, "kitchen", 180, now, ends=now + 480.2)
    assert timer_answer("HassIncreaseTimer", {"seconds": 300}, eight) == "Added 5 minutes. 8 minutes left."
    assert timer_answer("HassDecreaseTimer", {"seconds": 120}, eight) == "Took 2 minutes off. 8 minutes left."
    done = RunningTimer(1, "kitchen", 300, now, ends=now)
    assert timer_answer("HassDecreaseTimer", {"seconds": 600}, done) == (
        "Took 10 minutes off. Your timer for 5 minutes is done."
    )
    assert duration_text(round(59.6)) == "1 minute"


def test_a_reminder_says_what_to_do_when_set_and_when_it_rings(ctx: ContextStore, kitchen: Satellite) -> None:
    said = "remind me to take my medicine in 10 minutes"
    i = Interpretation("HassStartTimer", 0.9, [Slot("name", "take my medicine"), Slot("minutes", "10")], said)
    r = resolve(i, ctx, kitchen)
    assert r.values == {"seconds": 600, "timer_name": "take my medicine", "reminder": True}
    assert dispatch(r, ctx).text == "OK, I'll remind you to take your medicine in 10 minutes."
    now = time.monotonic()
    reminder = RunningTimer(1, "kitchen", 600, now, "take my medicine", reminder=True)
    assert ring_text(reminder) == "It's time to take your medicine."
    assert timer_answer("HassPauseTimer", {}, reminder) == "Reminder to take your medicine paused."
    # a named timer is not a reminder: "set a timer for pizza for ten minutes"
    pizza = resolve(
        Interpretation("HassStartTimer", 0.9, [Slot("name", "pizza"), Slot("minutes", "10")],
                       "set a timer for pizza for 10 minutes"), ctx, kitchen,
    )  # fmt: skip
    assert "reminder" not in pizza.values and dispatch(pizza, ctx).text == "Pizza timer set for 10 minutes."
    assert ring_text(RunningTimer(1, "kitchen", 600, now, "pizza")) == "Your pizza timer is done."
    assert ring_text(RunningTimer(1, "kitchen", 600, now)) == "Your timer for 10 minutes is done."
    assert ring_text(RunningTimer(1, "kitchen", 600, now, "alarm")) == "This is your alarm."


def test_half_is_half_of_the_next_unit_up(ctx: ContextStore, kitchen: Satellite) -> None:
    """As Home Assistant's sentences label it: "half a minute", "half an hour", "ten and a half minutes"."""
    assert resolve(interp("HassStartTimer", seconds="half"), ctx, kitchen).values == {"seconds": 30}
    assert resolve(interp("HassStartTimer", minutes="half"), ctx, kitchen).values == {"seconds": 1800}
    r = resolve(interp("HassIncreaseTimer", minutes="ten", seconds="half"), ctx, kitchen)
    assert r.values == {"seconds": 630}


def test_an_alarm_is_cancelled_only_by_name(timers: Timers) -> None:
    """ "cancel the timer" / "cancel all timers" must not lose tomorrow's alarm; "cancel the pizza
    timer" cancels that one timer, not all of them."""
    alarm = timers.start("kitchen", 3600, "alarm")
    pizza = timers.start("kitchen", 600, "pizza")
    tea = timers.start("kitchen", 300)
    assert timers.find("kitchen") == tea
    assert timers.cancel("kitchen", "pizza") == pizza
    assert timers.cancel("kitchen") == tea
    assert [t.name for t in timers.running("kitchen")] == ["alarm"]
    assert timers.find("kitchen") == alarm  # "how long is left": the only one there is
    assert timers.cancel("kitchen") is None
    timers.start("kitchen", 300)
    assert [t.seconds for t in timers.cancel_all("kitchen", frozenset({"timer"}))] == [300]
    assert timers.cancel("kitchen", "alarm") == alarm
    assert timers.running() == []
    assert ring_text(alarm) == "This is your alarm."
    # "cancel the egg timer" is the one set "for the eggs" (it cancelled the latest, another timer)
    eggs = timers.start("kitchen", 180, "eggs")
    timers.start("kitchen", 600)
    assert timers.cancel("kitchen", "egg") == eggs
    timers.cancel_all("kitchen")
    # "the timer" is the plain one, not a command for later that runs as long
    cake = timers.start("kitchen", 600, "cake")
    timers.start("kitchen", 600, None, "turn off the oven")
    assert timers.find("kitchen") == cake
    timers.cancel_all("kitchen")
    assert timer_answer("HassCancelTimer", {}, alarm) == "Alarm cancelled."
    assert timer_answer("HassCancelTimer", {}, pizza) == "Pizza timer cancelled."


def test_a_timer_is_found_by_its_name_said_in_the_singular_or_plural(timers: Timers) -> None:
    """ "add 5 minutes to the potato timer" missed the one set "for the potatoes" ("potatoe")."""
    potatoes = timers.start("kitchen", 720, "potatoes")
    cookies = timers.start("kitchen", 600, "cookies")
    timers.start("kitchen", 60)
    assert timers.find("kitchen", name="potato") == potatoes
    assert timers.find("kitchen", name="the potato timer") == potatoes
    assert timers.find("kitchen", name="cookie") == cookies


def test_a_command_for_later_is_found_by_the_device_it_acts_on(timers: Timers) -> None:
    """ "the fan timer" or "how long until the fan turns off" found the latest timer, whatever it was."""
    fan = timers.start("bedroom", 1800, command="turn the fan off")
    timers.start("bedroom", 300)
    assert timers.find("bedroom", name="fan") == fan
    assert timers.find("bedroom", name="the ceiling fans") != fan  # "ceiling" is not in the command


def test_a_repeat_rings_next_on_its_days_and_says_them() -> None:
    monday_noon = datetime(2026, 12, 7, 12, 0)
    weekdays_at_7 = Repeat(7, 0, WEEKDAYS_ONLY)
    assert weekdays_at_7.next_after(monday_noon) == datetime(2026, 12, 8, 7, 0)  # Tuesday's: Monday's is gone
    assert weekdays_at_7.next_after(datetime(2026, 12, 11, 8, 0)) == datetime(
        2026, 12, 14, 7, 0
    )  # Fri -> Mon
    assert Repeat(12, 0).next_after(monday_noon) == datetime(2026, 12, 8, 12, 0)  # not the same minute again
    assert Repeat(19, 30, frozenset({1})).next_after(monday_noon) == datetime(2026, 12, 8, 19, 30)
    assert [Repeat(7, 0, frozenset(d)).said for d in (range(7), range(5), {5, 6}, {0}, {0, 4})] == [
        "every day", "on weekdays", "on weekends", "every Monday", "on Mondays and Fridays",
    ]  # fmt: skip
    assert Repeat.from_dict(weekdays_at_7.to_dict()) == weekdays_at_7


def test_a_repeating_alarm_rings_and_is_set_again_for_its_next_time(timers: Timers, rings: Rings) -> None:
    soon = datetime.now() + timedelta(minutes=3)
    repeat = Repeat(soon.hour, soon.minute)  # every day at a time a few minutes from now
    started = timers.start("bedroom", 1, ALARM, repeat=repeat)
    assert rings.rang.wait(10)
    (again,) = timers.running("bedroom")  # rung, and running still: the same alarm, under its id
    assert [t.id for t in rings.timers] == [started.id] and again.id == started.id and again.repeat == repeat
    expected = repeat.next_after(datetime.now() + timedelta(minutes=1)).timestamp() - time.time()
    assert abs(again.remaining() - expected) < 5 and again.remaining() > 60
    assert timers.cancel("bedroom", ALARM) == again and timers.running() == []


def test_a_repeat_every_while_rings_on_its_grid_and_is_set_again(timers: Timers, rings: Rings) -> None:
    """ "remind me to drink water every hour": the times through its first ring, an hour apart, on
    whichever day; kept whole in the store's form; set again for the next one when it rings."""
    hourly = Repeat(17, 2, every_s=3600)
    assert hourly.next_after(datetime(2026, 12, 7, 16, 2, 37)) == datetime(2026, 12, 7, 17, 2)
    assert hourly.next_after(datetime(2026, 12, 7, 17, 2)) == datetime(2026, 12, 7, 18, 2)  # not the same one
    assert hourly.next_after(datetime(2026, 12, 7, 23, 59)) == datetime(2026, 12, 8, 0, 2)
    assert hourly.next_after(datetime(2026, 12, 8, 3, 30)) == datetime(2026, 12, 8, 4, 2)
    assert [hourly.said, Repeat(0, 0, every_s=1800).said, Repeat(0, 0, every_s=7200).said] == [
        "every hour", "every 30 minutes", "every 2 hours",
    ]  # fmt: skip
    assert Repeat.from_dict(hourly.to_dict()) == hourly
    nine_to_five = Repeat(9, 0, every_s=3600, until=(17, 0))  # "every hour from 9 to 5"
    assert [nine_to_five.next_after(datetime(2026, 12, 7, h, m)) for h, m in ((7, 0), (9, 0), (16, 49), (17, 0))] == [
        datetime(2026, 12, 7, 9), datetime(2026, 12, 7, 10), datetime(2026, 12, 7, 17), datetime(2026, 12, 8, 9),
    ]  # fmt: skip
    assert nine_to_five.said == "every hour from 9 AM to 5 PM"
    assert Repeat.from_dict(nine_to_five.to_dict()) == nine_to_five
    soon = datetime.now() + timedelta(minutes=3)
    every_5 = Repeat(soon.hour, soon.minute, every_s=300)
    started = timers.start("bedroom", 1, "stretch", reminder=True, repeat=every_5)
    assert rings.rang.wait(10)
    (again,) = timers.running("bedroom")
    assert again.id == started.id and again.repeat == every_5
    expected = every_5.next_after(datetime.now() + timedelta(minutes=1)).timestamp() - time.time()
    assert abs(again.remaining() - expected) < 5 and 60 < again.remaining() <= 6 * 60


def test_timers_kept_in_the_store_run_again_after_a_restart(tmp_path: Path) -> None:
    """What the daemon does at start: the timers saved in its SQLite file run again, with the time they
    had left; one that came due while it was down rings if it is a reminder or at most a little late."""
    store = Store(tmp_path / "turns.db")
    before = Timers(lambda t: None, on_change=lambda ts: store.save_timers("kitchen", [saved(t) for t in ts]))
    before.start("kitchen", 600, "pizza")
    before.pause("kitchen", "pizza")
    before.start("kitchen", 3600, ALARM, repeat=Repeat(7, 0, WEEKDAYS_ONLY))
    before.start("kitchen", 900, "call mom", reminder=True)
    kept = store.saved_timers("kitchen")
    before.cancel_all("kitchen")  # the daemon stops: its threads are gone
    assert store.saved_timers("kitchen") == []
    store.save_timers("kitchen", kept)  # as it was when the power went

    rings = Rings()
    after = Timers(rings)
    restored = after.restore(Store(tmp_path / "turns.db").saved_timers("kitchen"))  # a new connection
    try:
        pizza, alarm, reminder = restored
        assert (pizza.name, pizza.paused, round(pizza.remaining())) == ("pizza", True, 600)
        assert (
            alarm.name == ALARM
            and alarm.repeat == Repeat(7, 0, WEEKDAYS_ONLY)
            and 3590 < alarm.remaining() <= 3600
        )
        assert reminder.reminder and reminder.name == "call mom" and 890 < reminder.remaining() <= 900
        assert not rings.timers
    finally:
        after.cancel_all("kitchen")

    # due while the daemon was down: 2 minutes ago rings now; an hour ago only a reminder rings, and a
    # repeating alarm is set for its next time without ringing
    now = time.time()
    late = [
        {**kept[1], "name": "tea", "repeat": None, "due": now - 120},
        {**kept[1], "due": now - 3600},
        {**kept[2], "due": now - 3600},
        {**kept[1], "name": "pasta", "repeat": None, "due": now - 3600},
    ]
    rings = Rings()
    after = Timers(rings)
    try:
        restored = after.restore(late, now)
        assert [t.name for t in restored] == ["tea", ALARM, "call mom"]  # the pasta timer: too late
        deadline = time.monotonic() + 10
        while len(rings.timers) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(str(t.name) for t in rings.timers) == ["call mom", "tea"]
        # rung late: said so, with when it was due
        said = sorted(ring_text(t) for t in rings.timers)
        due = [said_time(datetime.fromtimestamp(now - late)) for late in (3600, 120)]
        assert said == [
            f"While I was off, your reminder to call mom was due at {due[0]}.",
            f"While I was off, your tea timer was due at {due[1]}.",
        ]
        (alarm,) = after.running("kitchen")
        assert alarm.repeat is not None and alarm.remaining() > 60
    finally:
        after.cancel_all("kitchen")


def test_skipping_a_day_passes_over_that_ring_only(timers: Timers, rings: Rings) -> None:
    """ "skip tomorrow's alarm" with the next ring today: today's still rings, then the day after
    tomorrow's; with the next ring that day, it moves on at once. A one-off or a day it does not ring
    on is no skip."""
    earlier = datetime.now() - timedelta(hours=1)
    repeat = Repeat(earlier.hour, earlier.minute)  # every day, an hour ago: next rings tomorrow
    tomorrow = (datetime.now() + timedelta(days=1)).date()
    started = timers.start("bedroom", 1, ALARM, repeat=repeat)  # rings in a second (today) first
    skipping = timers.skip(started.id, tomorrow)
    assert skipping is not None and skipping.skipping == tomorrow and skipping.remaining() <= 1
    assert rings.rang.wait(10)
    (again,) = timers.running("bedroom")
    first = repeat.next_after(datetime.now() + timedelta(minutes=1))
    expected = repeat.next_after(first + timedelta(minutes=1)) if first.date() == tomorrow else first
    assert abs(again.remaining() - (expected.timestamp() - time.time())) < 5
    # its next ring's day: the one after, at once
    moved = timers.skip(again.id, expected.date())
    after = repeat.next_after(expected + timedelta(minutes=1))
    if after.date() == tomorrow:  # its next ring was today's (said after midnight): tomorrow's is skipped too
        after = repeat.next_after(after + timedelta(minutes=1))
    assert moved is not None and abs(moved.remaining() - (after.timestamp() - time.time())) < 5
    assert timers.skip(again.id, expected.date() - timedelta(days=1)) is None  # before its next ring
    weekly = timers.start(
        "bedroom", 60, ALARM, repeat=Repeat(7, 0, frozenset({(tomorrow.weekday() + 3) % 7}))
    )
    later = tomorrow + timedelta(days=1)  # not the day a minute from now is (at 23:59, tomorrow)
    assert timers.skip(weekly.id, later) is None and weekly in timers.running("bedroom")
    once = timers.start("bedroom", 60, ALARM)
    assert timers.skip(once.id, later) is None


def test_a_kept_timer_that_cannot_be_read_is_left_out_and_the_rest_run(tmp_path: Path) -> None:
    """A hand-edited or older `turns.db`: the daemon starts, with every timer it can read."""
    store = Store(tmp_path / "turns.db")
    good = {"satellite": "kitchen", "seconds": 600, "name": "pizza", "due": time.time() + 600}
    store.save_timers(
        "kitchen", [good, {"satellite": "kitchen", "seconds": "ten"}, {**good, "repeat": {"hour": 7}}]
    )
    with store._tx() as db:  # a row that is no JSON at all
        db.execute("INSERT INTO timers VALUES ('kitchen', 9, 'not json')")
    saved_now = store.saved_timers("kitchen")
    assert len(saved_now) == 3  # the bad JSON row left out
    timers = Timers(lambda t: None)
    try:
        (pizza,) = timers.restore(saved_now)
        assert pizza.name == "pizza" and 590 < pizza.remaining() <= 600
    finally:
        timers.cancel_all("kitchen")
