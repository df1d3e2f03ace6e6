"""Write weights/README.md (one model card per checkpoint) from an `evaluate --json` file, and store each
checkpoint's evaluation row in its own metadata (key "eval") so the app and `list` show the same numbers.

    python -m colorizer evaluate ../shared/data/val --json runs/eval_val.json
    python scripts/make_model_cards.py runs/eval_val.json
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.checkpoints import load_checkpoint, update_metadata  # noqa: E402
from colorizer.evaluate import COLUMNS  # noqa: E402
from colorizer.inference import WEIGHTS_DIR, Colorizer  # noqa: E402
from colorizer.training import TrainConfig  # noqa: E402

SEEDS = {"resnet-mid": "seeds 000 and 004", "gray2rgb-cnn": "seed 001", "conv-autoencoder": "seed 002",
         "inception-fusion": "seed 003", "effnet-unet": "ours (flagship)"}


def train_command(cfg: dict) -> str:
    """The train.py command that reproduces a run: every setting that differs from TrainConfig's default."""
    defaults = {f.name: (f.default if f.default is not dataclasses.MISSING else f.default_factory())  # type: ignore
                for f in dataclasses.fields(TrainConfig) if f.default is not dataclasses.MISSING
                or f.default_factory is not dataclasses.MISSING}
    parts = ["python train.py"]
    for k, v in cfg.items():
        if k in ("resume", "threads", "workers", "notes") or (k in defaults and defaults[k] == v):
            continue
        flag = "--" + k.replace("_", "-")
        if isinstance(v, bool):
            parts.append(flag if v else "--no-" + k.replace("_", "-"))
        elif isinstance(v, dict):
            parts.append(f"{flag} '{json.dumps(v)}'")
        elif v is not None:
            parts.append(f"{flag} {v}")
    return " \\\n    ".join(parts)


def row(r: dict) -> str:
    return " | ".join(f"{r.get(c, float('nan')):.3f}" for c in COLUMNS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_json", nargs="+", help="one or more evaluate --json files (same dir and size), merged")
    ap.add_argument("--out", default=str(WEIGHTS_DIR / "README.md"))
    args = ap.parse_args()
    evs = [json.loads(Path(p).read_text()) for p in args.eval_json]
    ev = evs[0]
    if any((e["dir"], e["size"]) != (ev["dir"], ev["size"]) for e in evs):
        raise SystemExit("evaluation files disagree on folder or size; they cannot be merged")
    res = {}
    for e in evs:
        res.update(e["results"])
    head = "| row | " + " | ".join(COLUMNS) + " |\n|---|" + "---|" * len(COLUMNS)
    lines = ["# Model cards", "",
             f"Evaluation: `python -m colorizer evaluate {ev['dir']} --size {ev['size']} --json OUT` on "
             f"{res['gray']['images']} photos squashed to {ev['size']}x{ev['size']}, each model given only L. "
             "`gray` is a = b = 0; `mean-ab` paints every pixel with the evaluated photos' mean ab. "
             "PSNR rewards timid colors; read it beside colorfulness (cf_pred vs cf_true) and CIEDE2000.", "",
             head]
    for name, r in res.items():
        lines.append(f"| {name} | {row(r)} |")
    lines.append("")
    total = 0
    for e in Colorizer.available():
        name = e["name"]
        if name not in res:
            continue
        meta = update_metadata(e["path"], {"eval": {k: v for k, v in res[name].items() if k != "arch"},
                                           "eval_protocol": f"{ev['dir']} at {ev['size']}x{ev['size']}"})
        model, _ = load_checkpoint(e["path"])
        params = sum(p.numel() for p in model.parameters())
        size_mb = Path(e["path"]).stat().st_size / 1e6
        total += size_mb
        tr = meta.get("training", {})
        cfg = tr.get("config", {})
        lines += [f"## {name}", "",
                  f"- architecture: `{meta['arch']}` ({SEEDS.get(meta['arch'], '')}), kwargs `{json.dumps(meta.get('arch_kwargs', {}))}`, "
                  f"{params / 1e6:.2f} M parameters, file {size_mb:.1f} MB ({meta.get('dtype')})",
                  f"- objective: `{meta.get('objective')}`" + (f", rebalancing lambda {cfg.get('rebalance_lambda')}"
                                                              if str(meta.get('objective', '')).startswith('bins') else ""),
                  f"- optimizer: {cfg.get('optimizer')} lr {cfg.get('lr')}" + (f", encoder lr {cfg.get('lr_encoder')}, "
                  f"frozen for the first {cfg.get('freeze_encoder_steps')} steps, ImageNet-pretrained encoder"
                  if meta["arch"] == "effnet-unet" else "") + f", batch {cfg.get('batch_size')}, schedule {cfg.get('schedule')}",
                  f"- data: {tr.get('train_images')} training photos from `{cfg.get('data')}`, validation "
                  f"`{cfg.get('val_data')}`; training crops {cfg.get('size')} px; "
                  f"{tr.get('skipped_colorless', 0)} nearly colorless samples skipped",
                  f"- length: {tr.get('steps')} steps = {tr.get('epochs')} epochs in {tr.get('wall_minutes')} min "
                  f"on {tr.get('device')} (world size {tr.get('world_size')}, autocast {tr.get('amp')})",
                  f"- inference: working size {meta.get('working_size')}"
                  + (f", temperature {meta.get('temperature')}, prior correction alpha {meta.get('prior_correction', 0.0)}"
                     if meta.get("output_kind") == "classification" else "")
                  + (" (chosen on training photos by scripts/tune_decode.py)" if meta.get("decode_tuning") else ""),
                  f"- code {meta.get('code_version')}, git {meta.get('git_commit')}", "",
                  f"Shipped: the best validation CIEDE2000 of the run (checked every {cfg.get('val_every')} steps), "
                  f"reached at step {tr.get('steps')}. Reproduce:", "", "```", train_command(cfg)] + ([
                      "python scripts/tune_decode.py " + f"weights/{name}.safetensors --data {meta['decode_tuning']['data']} "
                      f"--images {meta['decode_tuning']['images']} --working-sizes 224,256 --alphas 0.2,0.3,0.4,0.5 "
                      f"--temperatures 0.3,0.38,0.5 --max-dcf {meta['decode_tuning']['max_dcf']} --write"]
                      if meta.get("decode_tuning") else []) + ["```", "",
                  head, f"| {name} | {row(res[name])} |", ""]
    lines.insert(2, f"Shipped checkpoints total {total:.1f} MB.\n")
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
