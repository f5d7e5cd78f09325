"""`ambient` and its subcommands.

Each subcommand lives in `runtime/commands/<name>.py` with `HELP`, `add_arguments(parser)` and
`run(args) -> int`. Those modules import heavy things (models, numpy, paho) inside `run`, so
`ambient --help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from types import ModuleType

from runtime.config import ConfigError

# name -> module under runtime.commands (a module may serve several names, e.g. nlu and nlu-train)
COMMANDS: dict[str, str] = {
    "wake": "wake",
    "asr": "asr",
    "listen": "listen",
    "nlu": "nlu",
    "nlu-train": "nlu_train",
    "quantize": "quantize",
    "run": "run",
    "demo": "demo",
    "check": "check",
}


def _load(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"runtime.commands.{module}")
    except ModuleNotFoundError as e:
        if e.name == f"runtime.commands.{module}":
            return None  # not built yet
        raise


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ambient", description="On-device voice assistant runtime")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = _load(module_name)
        if module is None:
            continue
        p = sub.add_parser(name, help=getattr(module, "HELP", ""), description=getattr(module, "HELP", ""))
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * args.verbose
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not hasattr(args, "_run"):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except ConfigError as e:
        print(f"ambient: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
