"""`ambient check`: what this machine has and lacks for running the assistant, with how to fix it."""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from collections.abc import Callable
from dataclasses import dataclass

HELP = "check what is installed: PortAudio, audio devices, espeak-ng, mosquitto, models"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="devices.yaml (default: ./devices.yaml, else the example)")


def _portaudio() -> list[Check]:
    try:
        import sounddevice as sd
    except OSError as e:  # the Python package is there, libportaudio2 is not
        fix = "sudo apt-get install libportaudio2"
        return [Check("PortAudio", False, str(e), fix), Check("microphone", False, "no PortAudio", fix)]
    checks = [Check("PortAudio", True, sd.get_portaudio_version()[1])]
    for kind, name in (("input", "microphone"), ("output", "speaker")):
        try:
            dev = sd.query_devices(kind=kind)
            checks.append(Check(name, True, str(dev["name"])))
        except Exception:
            fix = (
                "plug in a USB microphone, or use --say/--wav/--text"
                if kind == "input"
                else ("responses will be printed and published only")
            )
            checks.append(Check(name, False, f"no {kind} device found", fix, required=False))
    return checks


def _program(name: str, fix: str, required: bool = True) -> Check:
    from runtime.broker import mosquitto_path

    path = mosquitto_path() if name == "mosquitto" else shutil.which(name)
    return Check(name, path is not None, path or "not found", fix, required)


def _models(config_path: str | None) -> list[Check]:
    from runtime.config import ConfigError, load_config

    try:
        config = load_config(config_path, check_files=False)
    except ConfigError as e:
        return [Check("devices.yaml", False, str(e), "fix the file at the line shown")]
    checks = [Check("devices.yaml", True, f"{config.path}: {len(config.devices)} devices")]
    for label, value in (("NLU model", config.nlu.model), ("NLU tokenizer", config.nlu.tokenizer)):
        p = config.resolve_path(value)
        checks.append(Check(label, p.is_file(), str(p), "train it: ambient nlu-train"))
    oww = importlib.util.find_spec("openwakeword")
    checks.append(
        Check(
            "openWakeWord",
            oww is not None,
            "bundled models" if oww else "missing",
            "pip install openwakeword==0.5.1",
        )
    )
    ps = importlib.util.find_spec("pocketsphinx")
    checks.append(
        Check(
            "pocketsphinx",
            ps is not None,
            "bundled en-us model" if ps else "missing",
            "pip install pocketsphinx",
        )
    )
    if config.asr.engine == "vosk":
        vm = config.asr.vosk_model
        ok = bool(vm) and config.resolve_path(vm or "").is_dir()
        checks.append(
            Check(
                "Vosk model",
                ok,
                str(vm),
                "download a model (e.g. vosk-model-small-en-us) and set asr.vosk_model",
            )
        )
    return checks


def run(args: argparse.Namespace) -> int:
    groups: list[Callable[[], list[Check]]] = [
        _portaudio,
        lambda: [
            _program("espeak-ng", "sudo apt-get install espeak-ng (spoken answers, --say)", required=False)
        ],
        lambda: [
            _program(
                "mosquitto",
                "sudo apt-get install mosquitto (the demo falls back to a built-in broker)",
                required=False,
            )
        ],
        lambda: _models(args.config),
    ]
    failed = 0
    for group in groups:
        for c in group():
            mark = "ok " if c.ok else ("!! " if c.required else "-- ")
            print(f"{mark} {c.name:<14} {c.detail}")
            if not c.ok:
                print(f"    {'':<14} -> {c.fix}")
                failed += c.required
    return 1 if failed else 0
