"""The repair network's figures (colorizer.repair), seeded, on photos it never trained on:

  defects   val-ood photos at 256 x 256 (as `evaluate` squashes them) with defects drawn by
            colorizer.evaluation.defects (seeded per photo, nothing else aged): the mask's precision, recall
            and F1 against the drawn mask, and the PSNR of the lightness inside that mask before and after the
            repair, against the clean photo's.
  clean     the share of pixels flagged on clean photos: val's tuning photos and val-ood, at 256 x 256.
  speed     a 1-megapixel photo (1155 x 866) detected and repaired, median of --repeats runs (after a warm-up), on
            the backend the repair loads with (ONNX Runtime on a CPU, $COLORIZER_BACKEND=torch for PyTorch); and
            the same photo made a cracked print (repair/cracks/val's shapes), where the fill (the learned one
            where one ships) has damage everywhere to fill.
  by kind   with --by-kind N: recall and precision with each kind of defect drawn alone, on N of the val-ood photos.
  prints    the same val-ood photos at --print-side (384) px made cracked old prints: real crack shapes of
            repair/cracks/val (never trained on) beside the drawn kinds, then scanned (soft, faded, grain, JPEG;
            colorizer.evaluation.defects.cracked_print). Mask F1 with a 2 px tolerance (and exact), the clean
            pixels flagged, and L inside the true mask against the same print's undamaged scan: damaged, after
            detection and repair, and by the damage's width (<3, 3-6, >=6 px) the recall and each fill given the
            true mask (Telea as OpenCV gives it, and the fill that ships: Telea relaxed, corrected by the learned
            fill where one ships), so the fill is judged apart from the detector.

    python benchmarks/repair.py [--data ../shared/data] [--per-kind 30] [--checkpoint weights/repair.safetensors] [--by-kind 100] [--write]

How colours change with repair is `evaluate --repair` against `--no-repair` (on val-ood --aged and val-historical).
"""
from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402

from colorizer.checkpoints import update_metadata  # noqa: E402
from colorizer.color import photo_l  # noqa: E402
from colorizer.evaluation.aging import gray_photo, seeded_generator  # noqa: E402
from colorizer.evaluation.defects import (DEFAULT_DEFECTS, KINDS, WIDTHS, MaskCounts, crack_shapes,  # noqa: E402
                                          cracked_print, dilate, draw_defects, local_width)
from colorizer.evaluation.evaluate import load_eval_set, tuning_set  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.repair import FILL_CHECKPOINT, REPAIR_CHECKPOINT, Repairer, repair_photo  # noqa: E402


def psnr(a: np.ndarray, b: np.ndarray, peak: float = 100.0) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 10 * np.log10(peak ** 2 / max(mse, 1e-10))


def defect_figures(r: Repairer, images: list[np.ndarray]) -> dict:
    counts = MaskCounts()
    before, after, truth_px = [], [], []
    for i, rgb in enumerate(images):
        lum = photo_l(rgb).numpy()
        damaged, mask, _ = draw_defects(torch.from_numpy(lum), seeded_generator("repair-bench", i))
        damaged, mask = damaged.numpy(), mask.numpy()
        found = r.find(damaged)
        counts.add(found, mask)
        if mask.any():
            fixed = r.fill(damaged.astype(np.float32), found)
            before.append(damaged[mask])
            after.append(fixed[mask])
            truth_px.append(lum[mask])
    s, t = counts.scores(), np.concatenate(truth_px)
    return {"photos": len(images), **{k: round(v, 4) for k, v in s.items()},
            "defect_share": round((counts.tp + counts.fn) / sum(x.shape[0] * x.shape[1] for x in images), 5),
            "psnr_in_mask_damaged": round(psnr(np.concatenate(before), t), 2),
            "psnr_in_mask_repaired": round(psnr(np.concatenate(after), t), 2)}


def _width_name(lo: float, hi: float) -> str:
    return f"<{hi:g} px" if lo == 0 else (f">={lo:g} px" if hi == float("inf") else f"{lo:g}-{hi:g} px")


def print_figures(r: Repairer, images: list[np.ndarray], shapes) -> dict:
    """The `prints` figures above."""
    tolerant, exact = MaskCounts(tolerance=2), MaskCounts()
    damaged_px, repaired_px, truth_px, flagged = [], [], [], []
    widths = {w: {"truth": [], "damaged": [], "telea": [], "fill": [], "found": 0, "pixels": 0} for w in WIDTHS}
    for i, rgb in enumerate(images):
        damaged, mask, clean = (t.numpy() for t in cracked_print(photo_l(rgb), seeded_generator("repair-prints", i), shapes))
        found = r.find(damaged)
        tolerant.add(found, mask)
        exact.add(found, mask)
        flagged.append(r.find(clean).mean())
        if not mask.any():
            continue
        damaged_px.append(damaged[mask])
        repaired_px.append(r.fill(damaged.astype(np.float32), found)[mask])
        truth_px.append(clean[mask])
        width = local_width(mask)
        reached = dilate(torch.from_numpy(found), 2).numpy()  # a true pixel within 2 px of a found one is found
        telea = r.fill(damaged.astype(np.float32), mask, telea_only=True)
        shipped = r.fill(damaged.astype(np.float32), mask)
        for lo, hi in WIDTHS:
            sel = mask & (width >= lo) & (width < hi)
            w = widths[(lo, hi)]
            w["truth"].append(clean[sel])
            w["damaged"].append(damaged[sel])
            w["telea"].append(telea[sel])
            w["fill"].append(shipped[sel])
            w["found"] += int((reached & sel).sum())
            w["pixels"] += int(sel.sum())
    t = np.concatenate(truth_px)
    out = {"photos": len(images), "side": int(images[0].shape[0]),
           **{k: round(v, 4) for k, v in tolerant.scores().items()},
           "exact": {k: round(v, 4) for k, v in exact.scores().items()},
           "mask_share": round((exact.tp + exact.fn) / sum(x.shape[0] * x.shape[1] for x in images), 5),
           "clean_flagged": round(float(np.mean(flagged)), 5),
           "psnr_in_mask_damaged": round(psnr(np.concatenate(damaged_px), t), 2),
           "psnr_in_mask_repaired": round(psnr(np.concatenate(repaired_px), t), 2), "by_width": {}}
    for (lo, hi), w in widths.items():
        if not w["pixels"]:
            continue
        tw = np.concatenate(w["truth"])
        out["by_width"][_width_name(lo, hi)] = {
            "share": round(w["pixels"] / (exact.tp + exact.fn), 3), "recall": round(w["found"] / w["pixels"], 3),
            "psnr_damaged": round(psnr(np.concatenate(w["damaged"]), tw), 2),
            "psnr_telea": round(psnr(np.concatenate(w["telea"]), tw), 2),
            "psnr_fill": round(psnr(np.concatenate(w["fill"]), tw), 2)}
    return out


def by_kind(r: Repairer, images: list[np.ndarray]) -> dict:
    """Recall and precision with each kind of defect drawn alone (every photo gets it), seeded."""
    out = {}
    for kind in KINDS:
        if kind in ("stains", "print_cracks"):  # stains are never in the mask; a print's cracks need the real shapes
            continue                              # and are the `prints` figures' own
        only = replace(DEFAULT_DEFECTS, **{k: (1.0 if k == kind else 0.0, *getattr(DEFAULT_DEFECTS, k)[1:]) for k in KINDS})
        counts = MaskCounts()
        for i, rgb in enumerate(images):
            damaged, mask, _ = draw_defects(photo_l(rgb), seeded_generator("repair-kind", i), only)
            counts.add(r.find(damaged.numpy()), mask.numpy())
        s = counts.scores()
        out[kind] = {"recall": round(s["recall"], 3), "precision": round(s["precision"], 3),
                     "mask_pixels_per_photo": round((counts.tp + counts.fn) / len(images))}
    return out


def clean_share(r: Repairer, images: list[np.ndarray]) -> float:
    return round(float(np.mean([r.find(photo_l(rgb).numpy()).mean() for rgb in images])), 5)


def speed(r: Repairer, repeats: int, shapes=()) -> dict:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:866, 0:1155]
    photo = (128 + 60 * np.sin(x / 40) * np.cos(y / 55) + rng.normal(0, 6, x.shape)).clip(0, 255).astype(np.uint8)
    photo[400:402, 100:1000] = 250  # a scratch, so the fill runs too
    out = {"megapixels": round(photo.size / 1e6, 2), "seconds_median": _median_time(r, photo, repeats),
           "threads": torch.get_num_threads(), "backend": r.backend, "cpu": cpu_name()}
    if shapes:  # the same photo made a cracked print: the fill's share of the time where the damage is everywhere
        damaged, mask, _ = cracked_print(photo_l(np.repeat(photo[..., None], 3, -1)), seeded_generator("repair-speed", 0), shapes)
        cracked = gray_photo(damaged)
        out["cracked_print"] = {"mask_share": round(float(mask.float().mean()), 4),
                                "seconds_median": _median_time(r, cracked, repeats)}
    return out


def cpu_name() -> str:
    """The CPU's model and its widest vector unit: ONNX Runtime's kernels, and so the time, differ with it."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "an unnamed CPU"
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")),
                 platform.processor() or "an unnamed CPU")
    return f"{model}, {'AVX-512' if 'avx512f' in info else 'AVX2' if 'avx2' in info else 'without AVX2'}"


def _median_time(r: Repairer, photo: np.ndarray, repeats: int) -> float:
    repair_photo(photo, r)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        repair_photo(photo, r)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--checkpoint", default=str(REPAIR_CHECKPOINT))
    ap.add_argument("--fill", default=str(FILL_CHECKPOINT) if FILL_CHECKPOINT.is_file() else "",
                    help="the learned fill (default: the shipped one, where there is one; '': Telea, relaxed)")
    ap.add_argument("--per-kind", type=int, default=30, help="val-ood photos per kind")
    ap.add_argument("--val-images", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=21,
                    help="timed runs a photo (on a shared 2-core machine single runs of the same repair spread by half "
                         "their median, and a median of 5 moved by a fifth from one run of this script to the next)")
    ap.add_argument("--by-kind", type=int, default=0, metavar="N",
                    help="also recall and precision with each kind drawn alone, on N of the val-ood photos (evenly spaced)")
    ap.add_argument("--print-side", type=int, default=384, help="the side of the cracked prints (scans of 256-624 px)")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--write", action="store_true", help="store the figures in the checkpoint's metadata (its model card reads them)")
    args = ap.parse_args()
    r = Repairer.load(args.checkpoint, args.fill or None)
    root = Path(args.data)
    ood = [f for kind in sorted(p for p in (root / "val-ood").iterdir() if p.is_dir())
           for f in find_images(kind)[:: max(1, len(find_images(kind)) // args.per_kind)][: args.per_kind]]
    ood_images = load_eval_set(ood, 256).images
    fill = r.learned.metadata.get("release", Path(args.fill).name) if r.learned is not None else "Telea relaxed"
    out = {"checkpoint": args.checkpoint, "fill": fill, "threshold": r.threshold,
           "defects_val_ood": defect_figures(r, ood_images),
           "clean_flagged_val": clean_share(r, tuning_set(root / "val", args.val_images, 256, min_side=128).images),
           "clean_flagged_val_ood": clean_share(r, ood_images)}
    cracks = root / "repair" / "cracks" / "val"
    shapes = crack_shapes(str(cracks)) if cracks.is_dir() else ()
    out["speed_1mp"] = speed(r, args.repeats, shapes)
    if shapes:
        out["prints_val_ood"] = print_figures(r, load_eval_set(ood, args.print_side).images, shapes)
    d = out["defects_val_ood"]
    print(f"defects on {d['photos']} val-ood photos (256 px, defects only): precision {d['precision']:.3f} recall "
          f"{d['recall']:.3f} F1 {d['f1']:.3f}; L inside the true mask: {d['psnr_in_mask_damaged']:.2f} dB damaged, "
          f"{d['psnr_in_mask_repaired']:.2f} dB repaired ({d['psnr_in_mask_repaired'] - d['psnr_in_mask_damaged']:+.2f})")
    print(f"clean photos flagged: val {out['clean_flagged_val']:.3%}, val-ood {out['clean_flagged_val_ood']:.3%} of pixels")
    if "prints_val_ood" in out:
        d = out["prints_val_ood"]
        print(f"cracked prints ({d['photos']} val-ood photos at {d['side']} px, cracks of repair/cracks/val, "
              f"{d['mask_share']:.2%} of pixels): F1 {d['f1']:.3f} (2 px tolerance; precision {d['precision']:.3f} "
              f"recall {d['recall']:.3f}; exact F1 {d['exact']['f1']:.3f}); clean prints flagged {d['clean_flagged']:.3%}; "
              f"L inside the mask {d['psnr_in_mask_damaged']:.2f} -> {d['psnr_in_mask_repaired']:.2f} dB "
              f"({d['psnr_in_mask_repaired'] - d['psnr_in_mask_damaged']:+.2f})")
        for name, w in d["by_width"].items():
            print(f"  width {name:>8}: {w['share']:.0%} of the damage, recall {w['recall']:.3f}; true mask filled: "
                  f"damaged {w['psnr_damaged']:.2f} dB, Telea {w['psnr_telea']:.2f} dB"
                  f", {out['fill']} {w['psnr_fill']:.2f} dB ({w['psnr_fill'] - w['psnr_telea']:+.2f})")
    s = out["speed_1mp"]
    print(f"speed: {s['megapixels']} MP detected and repaired in {s['seconds_median']:.3f} s (median, {s['threads']} threads, "
          f"{s['backend']}, {s['cpu']})"
          + (f"; made a cracked print ({s['cracked_print']['mask_share']:.1%} damaged) "
             f"{s['cracked_print']['seconds_median']:.3f} s" if "cracked_print" in s else ""))
    if args.by_kind:
        step = max(1, len(ood_images) // args.by_kind)
        out["by_kind"] = by_kind(r, ood_images[::step][: args.by_kind])
        for kind, f in out["by_kind"].items():
            print(f"  {kind:10s} drawn alone: recall {f['recall']:.3f} precision {f['precision']:.3f} "
                  f"({f['mask_pixels_per_photo']} defect pixels a photo)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    if args.write:  # the same figures in the detector's checkpoint and the learned fill's, where one ran
        for path in [args.checkpoint] + ([args.fill] if args.fill else []):
            update_metadata(path, {"benchmark": {**out, "checkpoint": Path(args.checkpoint).name,
                                                 "date": datetime.date.today().isoformat()}})
            print(f"wrote to {path}")


if __name__ == "__main__":
    main()
