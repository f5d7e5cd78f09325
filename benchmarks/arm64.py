"""ARM check: run our int8 models on aarch64 onnxruntime/TFLite wheels under qemu and compare with x86.

    .venv/bin/python benchmarks/arm64.py            # sets up the sysroot once (~0.7 GB), then checks
    .venv/bin/python benchmarks/arm64.py --cpu cortex-a76

Follows ../shared/ARM64.md: a debootstrap'ed arm64 Debian (python3.11) under .cache/arm64,
aarch64 wheels from PyPI, qemu-aarch64-static with `-L ROOT`, a fake /proc/cpuinfo describing the
emulated CPU (onnxruntime picks kernels from it), and QEMU_CPU=cortex-a72 (Raspberry Pi 4) rather than
qemu's `max` CPU (whose SME breaks int8 results). Emulation is 20-400x slower, so nothing is timed
there: this checks numbers, not speed. Writes benchmarks/out/arm64.json.

The same file is the probe that runs inside the emulator (`--probe MANIFEST`), so it imports only the
standard library at module level.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "arm64"  # gitignored; ~0.7 GB
ROOT = CACHE / "root"
SITE = CACHE / "site"
WHEELS = CACHE / "wheels"
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "benchmarks" / "out"
PACKAGES = "python3.11,libpython3.11-stdlib,libgomp1,libstdc++6,zlib1g,libffi8,libexpat1,libssl3"
# pinned to what runs here on x86, so both sides run the same versions
WHEEL_PINS = [
    "onnxruntime==1.32.0",
    "numpy==1.26.4",
    "flatbuffers",
    "packaging",
    "protobuf",
    "ai-edge-litert==2.3.0",
    "ml_dtypes==0.5.4",  # 0.6 needs numpy 2
    "backports.strenum",
    "typing-extensions",
    "tqdm",
    "tflite-runtime==2.14.0",
]
CPUINFO = {
    # implementer 0x41 = Arm; part numbers from the Cortex TRMs; features as the Linux kernel prints them
    "cortex-a72": ("0xd08", "fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid"),
    "cortex-a76": (
        "0xd0b",
        "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp",
    ),
    "neoverse-n1": (
        "0xd0c",
        "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs",
    ),
}


def mirror() -> str:
    for line in Path("/etc/apt/sources.list.d/debian.sources").read_text().splitlines():
        if line.startswith("URIs:") and "security" not in line:
            return line.split()[1]
    return "http://deb.debian.org/debian"


def setup_sysroot() -> None:
    """debootstrap --foreign downloads the arm64 .debs; extracting them is enough to run python3.11."""
    if (ROOT / "usr/bin/python3.11").exists():
        return
    ROOT.mkdir(parents=True, exist_ok=True)
    print(f"debootstrap arm64 bookworm into {ROOT} (downloads ~40 MB of .debs)", flush=True)
    subprocess.run(
        [
            "debootstrap",
            "--arch=arm64",
            "--foreign",
            "--variant=minbase",
            f"--include={PACKAGES}",
            "bookworm",
            str(ROOT),
            mirror(),
        ],
        check=True,
    )
    debs = sorted((ROOT / "var/cache/apt/archives").glob("*.deb"))
    from tqdm import tqdm

    for deb in tqdm(debs, desc="extracting .debs", unit="deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(ROOT)], check=True)


def setup_wheels() -> None:
    if (SITE / "onnxruntime").exists() and (SITE / "tflite_runtime").exists():
        return
    WHEELS.mkdir(parents=True, exist_ok=True)
    platforms = [
        "manylinux_2_36_aarch64",
        "manylinux_2_35_aarch64",
        "manylinux_2_34_aarch64",
        "manylinux_2_31_aarch64",
        "manylinux_2_28_aarch64",
        "manylinux_2_27_aarch64",
        "manylinux_2_17_aarch64",
        "manylinux2014_aarch64",
    ]
    for pin in WHEEL_PINS:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--only-binary=:all:",
            "--no-deps",
            "--python-version",
            "3.11",
            "--implementation",
            "cp",
            "--abi",
            "cp311",
            "--abi",
            "none",
            "--abi",
            "abi3",
            "-d",
            str(WHEELS),
            pin,
        ]
        for p in [*platforms, "any"]:
            cmd += ["--platform", p]
        print("pip download", pin, flush=True)
        subprocess.run(cmd, check=True)
    import zipfile

    SITE.mkdir(parents=True, exist_ok=True)
    for whl in WHEELS.glob("*.whl"):
        zipfile.ZipFile(whl).extractall(SITE)


def fake_cpuinfo(cpu: str) -> None:
    """qemu-user shows the host's x86 /proc/cpuinfo; with -L ROOT it reads ROOT/proc/cpuinfo instead."""
    part, features = CPUINFO[cpu]
    (ROOT / "proc").mkdir(exist_ok=True)
    block = (
        "processor\t: {i}\nBogoMIPS\t: 108.00\nFeatures\t: {f}\nCPU implementer\t: 0x41\n"
        "CPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: {p}\nCPU revision\t: 3\n\n"
    )
    (ROOT / "proc/cpuinfo").write_text("".join(block.format(i=i, f=features, p=part) for i in range(2)))


# ----------------------------------------------------------------------------- the probe (both sides)


def probe(manifest_path: Path) -> None:
    """Run every job of the manifest in this interpreter's runtimes; save outputs next to the inputs."""
    import platform

    import numpy as np

    manifest = json.loads(manifest_path.read_text())
    results = {}
    for job in manifest["jobs"]:
        name = job["name"]
        try:
            inputs = dict(np.load(job["inputs"]))
            n = len(next(iter(inputs.values())))
            outs: list[list] = []
            if job["runtime"] == "onnxruntime":
                import onnxruntime as ort

                opts = ort.SessionOptions()
                opts.intra_op_num_threads = 1
                sess = ort.InferenceSession(job["model"], opts, providers=["CPUExecutionProvider"])
                for i in range(n):
                    outs.append(sess.run(None, {k: v[i : i + 1] for k, v in inputs.items()}))
            else:
                if job["runtime"] == "ai-edge-litert":
                    from ai_edge_litert.interpreter import Interpreter
                else:
                    from tflite_runtime.interpreter import Interpreter
                it = Interpreter(model_path=job["model"], num_threads=1)
                for d, v in zip(it.get_input_details(), inputs.values(), strict=True):
                    if list(d["shape"]) != [1, *v.shape[1:]]:  # e.g. melspectrogram declares [1, 1]
                        it.resize_tensor_input(d["index"], [1, *v.shape[1:]])
                it.allocate_tensors()
                ins, ods = it.get_input_details(), it.get_output_details()
                for i in range(n):
                    for d, v in zip(ins, inputs.values(), strict=True):
                        it.set_tensor(d["index"], v[i : i + 1].astype(d["dtype"]))
                    it.invoke()
                    outs.append([it.get_tensor(d["index"]).copy() for d in ods])
            arrays = {
                f"out{k}": np.concatenate([np.atleast_1d(o[k]) for o in outs]) for k in range(len(outs[0]))
            }
            np.savez(job["outputs"], **arrays)
            results[name] = "ok"
        except Exception as e:  # report and go on: one runtime failing must not hide the others
            results[name] = f"{type(e).__name__}: {e}"
    print(json.dumps({"machine": platform.machine(), "results": results}))


# ----------------------------------------------------------------------------- the host side


def run_emulated(manifest: Path, cpu: str) -> dict:
    env = {
        "QEMU_CPU": cpu,
        "PYTHONPATH": str(SITE),
        "PYTHONHOME": str(ROOT / "usr"),
        "PATH": "/usr/bin:/bin",
        "OMP_NUM_THREADS": "1",
    }
    cmd = [
        "qemu-aarch64-static",
        "-L",
        str(ROOT),
        str(ROOT / "usr/bin/python3.11"),
        str(Path(__file__).resolve()),
        "--probe",
        str(manifest),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"emulated probe failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_jobs(work: Path) -> list[dict]:
    """Models x runtimes x inputs to run on both sides; quantizes what needs quantizing first."""
    import numpy as np
    import openwakeword
    from openwakeword.utils import AudioFeatures

    from quantize import QuantizeError, quantize
    from quantize import toy_models as toy
    from runtime.audio.tts import synthesize

    jobs: list[dict] = []

    def add(name: str, model: Path, runtime: str, inputs: dict[str, np.ndarray]) -> None:
        npz = work / f"{name.replace('/', '__')}.inputs.npz"
        np.savez(npz, **inputs)
        jobs.append({"name": name, "model": str(model), "runtime": runtime, "inputs": str(npz)})

    # NLU: the committed fp32 and int8 models and our static / dynamic int8 of the fp32, on held-out
    # style sentences
    nlu = snapshot_nlu(REPO / "models/nlu", work / "nlu-model")
    if nlu is not None:
        import onnx

        from quantize.calibration import load_dataset, model_inputs

        sentences = work / "nlu_sentences.txt"
        sentences.write_text("\n".join(nlu_sentences(240)) + "\n")
        spec = model_inputs(onnx.load(str(nlu)))
        data = load_dataset(sentences, spec, nlu)
        arrays = {k: v[:40] for k, v in data.arrays.items()}  # padded + masked: fine for a bit-level check
        add("nlu.fp32/onnxruntime", nlu, "onnxruntime", arrays)
        if (nlu.parent / "nlu.int8.onnx").exists():  # the served model as committed
            add("nlu.int8-committed/onnxruntime", nlu.parent / "nlu.int8.onnx", "onnxruntime", arrays)
        for mode in ("static", "dynamic"):
            out = work / f"nlu-{mode}"
            try:
                quantize(nlu, sentences, target="arm64", out_dir=out, mode=mode)
                add(f"nlu.int8-{mode}/onnxruntime", out / "nlu.int8.onnx", "onnxruntime", arrays)
            except QuantizeError as e:
                print(f"NLU {mode} int8 not produced: {e}", file=sys.stderr)
    else:
        print(
            "models/nlu/nlu.fp32.onnx not found: NLU rows skipped (train it with `ambient nlu-train`)",
            file=sys.stderr,
        )

    # a toy classifier, static and dynamic int8 (the ARM64.md MLP check)
    mlp = toy.classifier(work / "mlp.onnx")
    mlp_data = toy.classifier_data(mlp, 200)
    np.savez(work / "mlp.npz", **mlp_data)
    add("mlp.fp32/onnxruntime", mlp, "onnxruntime", {"x": mlp_data["x"][:40]})
    for mode in ("static", "dynamic"):
        quantize(mlp, work / "mlp.npz", target="arm64", out_dir=work / f"mlp-{mode}", mode=mode)
        add(
            f"mlp.int8-{mode}/onnxruntime",
            work / f"mlp-{mode}/mlp.int8.onnx",
            "onnxruntime",
            {"x": mlp_data["x"][:40]},
        )

    # openWakeWord: features of espeak-ng speech through its own melspectrogram and embedding models
    res = Path(openwakeword.__file__).parent / "resources/models"
    clips = [
        synthesize(p, speed=s)
        for p in ("alexa", "hey alexa turn on the light", "what's the weather")
        for s in (140, 175)
    ]
    length = max(len(c) for c in clips) + 16000
    audio = np.stack([np.pad(c, (8000, length - len(c) - 8000)) for c in clips]).astype(np.int16)
    feats = AudioFeatures(inference_framework="onnx")
    emb = feats.embed_clips(audio, batch_size=8)
    windows = np.stack([e[i : i + 16] for e in emb for i in range(0, emb.shape[1] - 15, 2)]).astype(
        np.float32
    )
    mel = feats._get_melspectrogram(audio[0])  # (frames, 32), scaled as openWakeWord feeds the embedder
    mel_windows = np.stack([mel[i : i + 76] for i in range(0, len(mel) - 75, 8)])[:, :, :, None].astype(
        np.float32
    )
    audio_f = audio[:4, :16000].astype(np.float32)
    head_in = {"onnx": windows[:24], "tflite": windows[:24]}
    for stem, inputs in (
        ("melspectrogram", {"input": audio_f}),
        ("embedding_model", {"input_1": mel_windows[:8]}),
    ):
        add(
            f"{stem}.onnx/onnxruntime",
            res / f"{stem}.onnx",
            "onnxruntime",
            _rename(res / f"{stem}.onnx", inputs),
        )
        for rt in ("ai-edge-litert", "tflite-runtime"):
            add(f"{stem}.tflite/{rt}", res / f"{stem}.tflite", rt, inputs)
    add(
        "alexa.onnx/onnxruntime",
        res / "alexa_v0.1.onnx",
        "onnxruntime",
        _rename(res / "alexa_v0.1.onnx", {"x": head_in["onnx"]}),
    )
    for rt in ("ai-edge-litert", "tflite-runtime"):
        add(f"alexa.tflite/{rt}", res / "alexa_v0.1.tflite", rt, {"x": head_in["tflite"]})
    # our int8 alexa head: full-integer TFLite (both interpreters) and static QDQ ONNX
    tfl_calib = work / "alexa_windows_tflite.npz"
    np.savez(tfl_calib, **{"onnx_tf__tf_Flatten_0_79e3d279": windows[:, None]})
    try:
        quantize(
            res / "alexa_v0.1.tflite",
            tfl_calib,
            fmt="tflite",
            mode="static",
            out_dir=work / "alexa-tflite",
            max_drop=5.0,
        )
        for rt in ("ai-edge-litert", "tflite-runtime"):
            add(
                f"alexa.int8-static.tflite/{rt}",
                work / "alexa-tflite/alexa_v0.1.int8.tflite",
                rt,
                {"x": head_in["tflite"]},
            )
    except QuantizeError as e:
        print(f"alexa TFLite int8 not produced: {e}", file=sys.stderr)
    onnx_calib = work / "alexa_windows_onnx.npz"
    np.savez(onnx_calib, **_rename(res / "alexa_v0.1.onnx", {"x": windows}))
    try:
        quantize(res / "alexa_v0.1.onnx", onnx_calib, out_dir=work / "alexa-onnx", max_drop=5.0)
        add(
            "alexa.int8-static.onnx/onnxruntime",
            work / "alexa-onnx/alexa_v0.1.int8.onnx",
            "onnxruntime",
            _rename(res / "alexa_v0.1.onnx", {"x": head_in["onnx"]}),
        )
    except QuantizeError as e:
        print(f"alexa ONNX int8 not produced: {e}", file=sys.stderr)
    return jobs


def snapshot_nlu(src: Path, dst: Path) -> Path | None:
    """Copy the NLU model, tokenizer and labels: every side must run the same bytes even if the model
    is retrained meanwhile (it happened: x86 and one ARM run saw different models)."""
    import shutil

    if not (src / "nlu.fp32.onnx").exists():
        return None
    dst.mkdir(parents=True, exist_ok=True)
    for name in ("nlu.fp32.onnx", "nlu.int8.onnx", "tokenizer.json", "labels.json"):
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)
    return dst / "nlu.fp32.onnx"


def _rename(model: Path, inputs: dict) -> dict:
    """Name the arrays after the ONNX model's inputs (in order)."""
    import onnx

    names = [i.name for i in onnx.load(str(model)).graph.input]
    return dict(zip(names, inputs.values(), strict=False))


def nlu_sentences(n: int) -> list[str]:
    """Held-out NLU sentences: the test split the committed model was benchmarked on."""
    from benchmarks.quantize import nlu_split

    return [ex.text for ex in nlu_split()[1][:n]]  # the split depends on labels.json's seed only


def compare(x86: Path, arm: Path) -> dict:
    import numpy as np

    a, b = dict(np.load(x86)), dict(np.load(arm))
    rows = {}
    for k in a:
        ya, yb = a[k].astype(np.float64), b[k].astype(np.float64)
        row = {
            "shape": list(ya.shape),
            "max_abs_diff": float(np.abs(ya - yb).max()),
            "bit_exact": bool(np.array_equal(a[k], b[k])),
        }
        if ya.ndim >= 2 and ya.shape[-1] > 1:
            row["argmax_agreement"] = float(np.mean(ya.argmax(-1) == yb.argmax(-1)))
        else:
            row["decision_agreement@0.5"] = float(np.mean((ya > 0.5) == (yb > 0.5)))
        rows[k] = row
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--cpu", action="append", choices=sorted(CPUINFO), help="QEMU_CPU (default cortex-a72)"
    )
    parser.add_argument("--setup-only", action="store_true")
    args = parser.parse_args()
    if args.probe:
        probe(args.probe)
        return 0
    started = time.time()
    setup_sysroot()
    setup_wheels()
    if args.setup_only:
        return 0
    sys.path.insert(0, str(REPO))
    work = OUT / "arm64"
    work.mkdir(parents=True, exist_ok=True)
    jobs = build_jobs(work)
    result: dict = {"jobs": {}, "cpus": args.cpu or ["cortex-a72"]}
    sides = {"x86": None, **{cpu: cpu for cpu in result["cpus"]}}
    for side, cpu in sides.items():
        manifest = work / f"manifest-{side}.json"
        for job in jobs:
            job["outputs"] = str(work / f"{job['name'].replace('/', '__')}.{side}.npz")
        manifest.write_text(json.dumps({"jobs": jobs}, indent=1))
        print(f"running {len(jobs)} jobs on {side}{' (emulated, slow)' if cpu else ''}", flush=True)
        if cpu:
            fake_cpuinfo(cpu)
            status = run_emulated(manifest, cpu)
        else:
            done = subprocess.run(
                [sys.executable, __file__, "--probe", str(manifest)],
                capture_output=True,
                text=True,
                check=True,
            )
            status = json.loads(done.stdout.strip().splitlines()[-1])
        for name, state in status["results"].items():
            result["jobs"].setdefault(name, {})[f"status_{side}"] = state
        result[f"machine_{side}"] = status["machine"]
    for job in jobs:
        name = job["name"]
        x86 = work / f"{name.replace('/', '__')}.x86.npz"
        for cpu in result["cpus"]:
            arm = work / f"{name.replace('/', '__')}.{cpu}.npz"
            if (
                result["jobs"][name].get("status_x86") == "ok"
                and result["jobs"][name].get(f"status_{cpu}") == "ok"
            ):
                result["jobs"][name][cpu] = compare(x86, arm)
    result["seconds"] = time.time() - started
    (OUT / "arm64.json").write_text(json.dumps(result, indent=2) + "\n")
    for name, row in result["jobs"].items():
        for cpu in result["cpus"]:
            outs = row.get(cpu)
            if outs is None:
                print(f"{name:45s} {cpu}: x86={row.get('status_x86')} arm={row.get('status_' + cpu)}")
                continue
            worst = max(o["max_abs_diff"] for o in outs.values())
            agree = min(
                o.get("argmax_agreement", o.get("decision_agreement@0.5", 1.0)) for o in outs.values()
            )
            exact = all(o["bit_exact"] for o in outs.values())
            print(
                f"{name:45s} {cpu}: max|diff| {worst:.3g}  agreement {100 * agree:.1f}%  {'bit-exact' if exact else ''}"
            )
    print(f"wrote {OUT / 'arm64.json'} in {result['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
