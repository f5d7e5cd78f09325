#!/usr/bin/env bash
# Install ambient-edge on Debian / Raspberry Pi OS: system packages, a virtualenv in .venv, the package.
#   ./install.sh          runtime (wake word, ASR, NLU, MQTT, espeak-ng answers)
#   ./install.sh --test   plus what the test suite, training and quantization need
set -euo pipefail
cd "$(dirname "$0")"

extras="tflite"
[[ "${1:-}" == "--test" ]] && extras="tflite,quantize,train,test"

sudo=""
[[ "$(id -u)" -ne 0 ]] && sudo="sudo"
# espeak-ng speaks answers (and the tests' speech); sox converts audio; libportaudio2 is the microphone;
# mosquitto is the local broker that the demo starts when none is reachable; openssl makes the TLS test CA.
packages=(espeak-ng sox libportaudio2 mosquitto openssl)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ! command -v python3.11 >/dev/null 2>&1; then missing+=(python3.11 python3.11-venv); fi
if (( ${#missing[@]} )); then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
# Debian starts a system-wide mosquitto on 1883 when it can; ambient only needs the binary.

python=$(command -v python3.11)
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[${extras}]"
echo "installed: $(.venv/bin/ambient --help | head -1)"
