"""`ambient nlu` end to end in a subprocess: the real int8 model, context, resolution and payloads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "devices.yaml"  # the example home; its nlu.model is the committed int8 model


def ambient_nlu(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli", "nlu", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def understand(*args: str) -> dict[str, Any]:
    proc = ambient_nlu(*args, "--config", str(CONFIG))
    assert proc.returncode == 0, proc.stderr
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def payloads(out: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    def load(p: str) -> Any:
        try:
            return json.loads(p)
        except ValueError:
            return p

    return {c["device_id"]: (c["topic"], load(c["payload"])) for c in out["action"]["commands"]}


@pytest.fixture(scope="module")
def state_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("state") / "state.yaml"
    path.write_text("oven: {state: on, temperature: 180}\nthermostat: {temperature: 21}\n")
    return path


# with the committed model ----------------------------------------------------------------------------


def test_turn_on_the_kitchen_light() -> None:
    out = understand("turn on the kitchen light", "--satellite", "bedroom-sat")
    assert out["intent"] == "HassTurnOn"
    assert out["nbest"][0]["intent"] == "HassTurnOn" and len(out["nbest"]) <= 5
    assert out["resolution"]["device_ids"] == ["kitchen_light"]
    assert out["action"]["kind"] == "command"
    assert payloads(out) == {"kitchen_light": ("home/kitchen/light/set", {"state": "ON"})}


def test_the_temperature_is_the_running_oven(state_file: Path) -> None:
    out = understand("what's the temperature", "--satellite", "kitchen-sat", "--state", str(state_file))
    assert out["intent"] == "HassClimateGetTemperature"
    assert out["resolution"]["device_ids"] == ["oven"]
    assert out["action"] == {"kind": "answer", "commands": [], "text": "The oven is at 180 degrees."}
    without = understand("what's the temperature", "--satellite", "kitchen-sat")
    assert without["resolution"]["device_ids"] == ["thermostat"]


def test_brightness_in_zigbee2mqtt_scale() -> None:
    out = understand("set the floor lamp to fifty percent", "--satellite", "living-sat")
    assert out["intent"] == "HassLightSet"
    assert payloads(out) == {"floor_lamp": ("zigbee2mqtt/floor_lamp/set", {"brightness": 127})}


def test_unknown_device_is_a_question_not_an_action() -> None:
    out = understand("turn on the jacuzzi", "--satellite", "kitchen-sat")
    assert out["action"]["kind"] == "clarify" and out["action"]["commands"] == []
    assert "jacuzzi" in out["action"]["text"]


def test_stdin_is_a_conversation_with_one_json_line_per_sentence() -> None:
    proc = ambient_nlu(
        "--config",
        str(CONFIG),
        "--satellite",
        "living-sat",
        "-n",
        "3",
        stdin="turn on the coffee maker\n\nturn it off\nplay the hunger games\n",
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [x["text"] for x in lines] == ["turn on the coffee maker", "turn it off", "play the hunger games"]
    assert all(len(x["nbest"]) <= 3 for x in lines)
    assert lines[0]["resolution"]["device_ids"] == ["coffee_maker"]
    assert lines[1]["intent"] == "HassTurnOff" and lines[1]["resolution"]["device_ids"] == ["coffee_maker"]
    assert payloads(lines[1]) == {"coffee_maker": ("zigbee2mqtt/coffee_maker/set", {"state": "OFF"})}
    assert lines[2]["intent"] == "HassMediaSearchAndPlay"
    assert lines[2]["resolution"]["device_ids"] == ["tv"]  # living-sat has a screen: the movie
    assert lines[2]["resolution"]["values"]["media_class"] == "movie"


def test_two_commands_in_one_sentence_are_read_as_the_pipeline_reads_them() -> None:
    """ "turn the tv off and the floor lamp on", read whole, showed both turned off: the pipeline cuts
    it in two turns, and `ambient nlu` now shows each (the first also at the top)."""
    proc = ambient_nlu(
        "--config", str(CONFIG), "--satellite", "living-sat", stdin="turn the tv off and the floor lamp on\n"
    )
    assert proc.returncode == 0, proc.stderr
    (line,) = (json.loads(x) for x in proc.stdout.splitlines())
    assert line["text"] == "turn the tv off and the floor lamp on" and line["intent"] == "HassTurnOff"
    assert [(p["text"], p["resolution"]["device_ids"], p["resolution"]["values"]) for p in line["parts"]] == [
        ("turn the tv off", ["tv"], {"state": "off"}),
        ("turn the floor lamp on", ["floor_lamp"], {"state": "on"}),
    ]


def test_a_phrase_taught_on_one_line_works_on_the_next() -> None:
    said = "when I say movie time I mean turn off the living room light\nmovie time\n"
    proc = ambient_nlu("--config", str(CONFIG), stdin=said)
    assert proc.returncode == 0, proc.stderr
    teach, use = (json.loads(line) for line in proc.stdout.splitlines())
    assert teach["intent"] == "AmbientTeachCommand" and "taught" not in teach
    assert use["taught"] == "turn off the living room light"
    assert use["intent"] == "HassTurnOff" and use["resolution"]["device_ids"] == ["living_room_light"]


def test_a_timer_or_alarm_set_on_one_line_is_put_right_on_the_next() -> None:
    said = (
        "set a timer for seventy minutes\nno, seventeen minutes\nset an alarm for 9 am\nno, 5 am\n"
        "turn off the kitchen light in 5 minutes\nmake it 10\nremind me to call mom in 10 minutes\nno, 20\n"
    )
    proc = ambient_nlu("--config", str(CONFIG), stdin=said)
    assert proc.returncode == 0, proc.stderr
    _, timer, _, alarm, _, later, _, reminder = (
        json.loads(line)["action"]["text"] for line in proc.stdout.splitlines()
    )
    assert timer == "Timer set for 17 minutes."  # it was "Sorry about that."
    assert alarm.startswith("Alarm moved to 5:00 AM")
    # what the timer does or reminds of is kept (both said "Timer set for ...")
    assert later == "In 10 minutes I'll turn off the kitchen light."
    assert reminder == "OK, I'll remind you to call mom in 20 minutes."


def test_sentences_run_through_the_daemons_pipeline() -> None:
    """`ambient nlu` had a loop of its own: a timer set on one line was "not running" on the next,
    and "no, i meant the living room light" said "Sorry about that." and left the kitchen light on."""
    said = (
        "set a timer for 10 minutes called pasta\nhow long is left on the pasta timer\ncancel that\n"
        "turn on the kitchen light\nno i meant the living room light\n"
        "play jazz on the living room speaker\nmove the music to the kitchen\n"
    )
    proc = ambient_nlu("--config", str(CONFIG), "--satellite", "living-sat", stdin=said)
    assert proc.returncode == 0, proc.stderr
    _, left, cancelled, _, meant, _, moved = (json.loads(line) for line in proc.stdout.splitlines())
    # a player reports what it plays: "I don't know what the living room speaker is playing."
    assert moved["action"]["text"] == "Playing jazz (music) in the kitchen."
    assert left["action"]["text"].endswith("left on your pasta timer.")
    assert cancelled["action"]["text"] == "Pasta timer cancelled."
    assert [
        (p["resolution"]["device_ids"], p["action"]["commands"][0]["payload"]) for p in meant["parts"]
    ] == [
        (["kitchen_light"], '{"state": "OFF"}'),
        (["living_room_light"], '{"state": "ON"}'),
    ]


def test_undo_puts_back_what_the_last_command_changed() -> None:
    said = (
        "undo\nset the floor lamp to 30 percent\nset the floor lamp to 80 percent\nput it back\n"
        "lock the front door\nundo that\n"
    )
    proc = ambient_nlu("--config", str(CONFIG), "--satellite", "living-sat", stdin=said)
    assert proc.returncode == 0, proc.stderr
    nothing, _, _, back, _, lock = (json.loads(line) for line in proc.stdout.splitlines())
    assert nothing["action"]["kind"] == "clarify" and nothing["action"]["commands"] == []
    # the floor lamp's brightness before the last command, whatever the NLU read "put it back" as
    assert back["resolution"]["values"]["undo"] == {"floor_lamp": {"state": "on", "brightness": 30}}
    assert [c["device_id"] for c in back["action"]["commands"]] == ["floor_lamp"]
    # the lock's state before was not known: undoing "lock" would unlock it, which is never unsaid
    assert lock["action"]["kind"] == "clarify" and lock["action"]["commands"] == []


def test_nonsense_does_nothing() -> None:
    out = understand("the quarterly report is due on purple", "--satellite", "kitchen-sat")
    assert out["action"]["commands"] == []
    assert out["action"]["kind"] in ("none", "clarify")


def test_statements_with_command_words_mostly_do_nothing() -> None:
    """Statements the model never trained on ("the report says the lights were off"): what it
    generalises, not what it memorised (`benchmarks.nlu --splits` counts them per model too)."""
    from models.nlu.data import probe_statements

    statements = probe_statements()
    proc = ambient_nlu("--satellite", "kitchen-sat", "--config", str(CONFIG), stdin="\n".join(statements))
    assert proc.returncode == 0, proc.stderr
    outs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(outs) == len(statements) >= 30
    acted = [
        o["text"] for o in outs if o["action"]["commands"] or o["action"]["kind"] not in ("none", "clarify")
    ]
    assert len(acted) <= 0.1 * len(outs), acted


# errors ----------------------------------------------------------------------------------------------


def test_missing_model_says_what_to_run(tmp_path: Path) -> None:
    text = (ROOT / "devices.yaml").read_text().replace("models/nlu/nlu.int8.onnx", "nowhere/nlu.int8.onnx")
    (tmp_path / "devices.yaml").write_text(text)
    proc = ambient_nlu("turn on the kitchen light", "--config", str(tmp_path / "devices.yaml"))
    assert proc.returncode == 1 and proc.stdout == ""
    assert "NLU model not found" in proc.stderr and "ambient nlu-train" in proc.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("jacuzzi: {state: on}\n", "unknown device"),
        ("[1, 2, 3]\n", "expected a mapping"),
        ("oven: [1, 2]\n", "expected a mapping of state fields"),
        ("oven: {state: on\n", "not valid JSON/YAML"),
    ],
)
def test_bad_state_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "state.yaml"
    path.write_text(content)
    proc = ambient_nlu("turn on the oven", "--state", str(path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("ambient: ") and message in proc.stderr and "state.yaml" in proc.stderr


def test_missing_state_file_and_unknown_satellite(tmp_path: Path) -> None:
    proc = ambient_nlu("turn on the oven", "--state", str(tmp_path / "nope.json"))
    assert proc.returncode == 2 and "cannot read the state file" in proc.stderr
    proc = ambient_nlu("turn on the oven", "--satellite", "garage-sat")
    assert (
        proc.returncode == 2
        and "unknown satellite 'garage-sat'" in proc.stderr
        and "kitchen-sat" in proc.stderr
    )


def test_empty_sentence_and_bad_n() -> None:
    proc = ambient_nlu("   ")
    assert proc.returncode == 2 and "the sentence is empty" in proc.stderr and proc.stdout == ""
    proc = ambient_nlu("turn on the oven", "-n", "0")
    assert proc.returncode == 2 and "not a valid n-best size" in proc.stderr


def test_a_state_file_says_states_as_devices_report_them(tmp_path: Path) -> None:
    """A thermostat in "heat" mode is on, as the MQTT bridge reads it: "is the heating on" said
    "No, the thermostat is heat." with --state."""
    path = tmp_path / "state.json"
    path.write_text('{"thermostat": {"state": "heat", "target_temperature": 21}}')
    out = understand("is the heating on", "--satellite", "living-sat", "--state", str(path))
    assert out["action"]["text"] == "Yes, the thermostat is on."
