"""Run a model in the runtime that will serve it: onnxruntime, ai-edge-litert or tflite-runtime.

All runners take one sample as {input name: array} and return the outputs in a fixed order, so the
gate and the latency measurement treat every runtime the same way.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Protocol

import numpy as np

from quantize.errors import QuantizeError


class Runner(Protocol):
    runtime: str
    output_names: list[str]

    def run(self, feed: dict[str, np.ndarray]) -> list[np.ndarray]: ...


class OnnxRunner:
    """onnxruntime on the CPU, one thread: steadier timings on a shared machine, like one Pi core."""

    runtime = "onnxruntime"

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        except Exception as e:  # onnxruntime raises its own exception types (Fail, InvalidGraph, ...)
            raise QuantizeError(f"onnxruntime cannot load {path}: {e}") from e
        self.output_names = [o.name for o in self.session.get_outputs()]

    def run(self, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        return [np.asarray(o) for o in self.session.run(self.output_names, feed)]


TFLITE_RUNTIMES = ("ai-edge-litert", "tflite-runtime")


class TfliteRunner:
    """A .tflite model in ai-edge-litert or tflite-runtime; inputs are matched by name, else by order."""

    def __init__(self, path: Path, runtime: str, input_names: list[str]) -> None:
        self.runtime = runtime
        try:
            if runtime == "ai-edge-litert":
                from ai_edge_litert.interpreter import Interpreter
            elif runtime == "tflite-runtime":
                from tflite_runtime.interpreter import Interpreter
            else:
                raise QuantizeError(f"unknown TFLite runtime {runtime!r}; choose one of {TFLITE_RUNTIMES}")
        except ImportError as e:
            raise QuantizeError(
                f"{runtime} is not installed; pip install 'ambient-edge[tflite]' to run TFLite models"
            ) from e
        try:
            self.interpreter = Interpreter(model_path=str(path), num_threads=1)
            self.interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as e:
            raise QuantizeError(f"{runtime} cannot load {path}: {e}") from e
        details = self.interpreter.get_input_details()
        by_name = {d["name"]: d for d in details}
        # converters rename inputs (e.g. "serving_default_input_ids:0"); fall back to a suffix match, then order
        self.inputs = []
        for i, name in enumerate(input_names):
            match = by_name.get(name) or next((d for d in details if name in d["name"]), None)
            self.inputs.append((name, match or details[i]))
        self.outputs = self.interpreter.get_output_details()
        self.output_names = [d["name"] for d in self.outputs]

    def run(self, feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        for name, d in self.inputs:
            x = feed[name]
            if tuple(d["shape"]) != x.shape:
                self.interpreter.resize_tensor_input(d["index"], x.shape)
                self.interpreter.allocate_tensors()
            if d["dtype"] != x.dtype and np.issubdtype(d["dtype"], np.integer) and x.dtype.kind == "f":
                scale, zero = d["quantization"]  # a full-integer model with int8 inputs
                x = np.round(x / scale + zero).astype(d["dtype"])
            self.interpreter.set_tensor(d["index"], x.astype(d["dtype"], copy=False))
        self.interpreter.invoke()
        outs = []
        for d in self.outputs:
            y = self.interpreter.get_tensor(d["index"])
            scale, zero = d["quantization"]
            if np.issubdtype(y.dtype, np.integer) and scale:
                y = (y.astype(np.float32) - zero) * scale
            outs.append(np.array(y))
        return outs


def latency_ms(
    runners: dict[str, Runner], feeds: list[dict[str, np.ndarray]], runs: int = 60
) -> dict[str, dict[str, float]]:
    """p50/p99 of single-sample calls per runner, after a warm-up.

    The runners take turns call by call, so a burst of load on a shared machine hits all of them alike
    instead of whichever happened to be measured at the time.
    """
    for runner in runners.values():
        for f in feeds[:3]:
            runner.run(f)
    times: dict[str, list[float]] = {name: [] for name in runners}
    for i in range(runs):
        f = feeds[i % len(feeds)]
        for name, runner in runners.items():
            t0 = time.perf_counter()
            runner.run(f)
            times[name].append((time.perf_counter() - t0) * 1000)
    return {
        name: {"p50": float(np.percentile(t, 50)), "p99": float(np.percentile(t, 99)), "runs": runs}
        for name, t in times.items()
    }
