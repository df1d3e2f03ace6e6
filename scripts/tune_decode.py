"""Choose a checkpoint's decoding (colorizer.decoding.DecodeSettings and the working size) on the
validation split, by a stated rule that values being right over being vivid:

    among the settings whose predictions are about as colorful as the photos (|dCF| <= --max-dcf),
    take the lowest mean CIEDE2000 (then the higher PSNR); if none qualifies, the smallest |dCF|.

With --aged every setting is scored twice, on the photos and on a seeded aging of each one's L (what
`evaluate --aged` does), against the same clean truth: the rule then reads the mean of the two CIEDE2000s
and PSNRs, and |dCF| must hold on both, so the decoding is chosen for clean photos and old prints alike.

--restore-options 0,1 with --tone TONE.safetensors also tries every setting on the photos with their tone
restored first (colorizer.restore): whether the flagship restores by default is chosen by the same rule.

The search is coordinate-wise (temperature x prior correction at each working size, then a second scale x
mirrored averaging x prior correction x confidence gating x gain x guided upsampling at the best), one forward pass per
photo and working size (two with mirroring). Never run it on val-ood: that split measures
generalization, it is not for tuning.

--old chooses a checkpoint's second decoding, for photos judged old (colorizer.inference: a toned print, or
the old-print judgement at or above its threshold), on real old photographs (val-historical: their gray is a
real old print, so they are read as given, never aged by us). At the checkpoint's working size and tone, every
combination of prior correction x gating x gain x guided upsampling is scored, and the rule reads wash too:

    the lowest CIEDE2000 (then the higher PSNR) among the settings with wash <= --max-wash and |dCF| <= --max-dcf;
    if none qualifies, the lowest wash among the settings at least as good as the modern decoding (the
    checkpoint's own) on both PSNR and CIEDE2000 on the same photos.

    python scripts/tune_decode.py CHECKPOINT --old --data ../shared/data/val-historical --images 332 \
        --alphas 0,0.15,0.3 --confidences 0,15,25,40 --gains 1,1.15,1.3 --guide-radii 4 --max-dcf 10 --max-wash 0.02 \
        --detector weights/old-photo.safetensors --write [--repair-old on]

--repair-old on stores that photos so judged also have their scratches and dust filled first (colorizer.repair).

--min-side 128 keeps only photos stored with a short side of at least 128 px. `val` is mostly sources
stored at 64-128 px (Tiny ImageNet 64, mini-ImageNet 84) that the 256 px evaluation upscales 3-4x; on those
a small working copy wins because it matches their scale, and a choice made there (working size 192, for a
v2 candidate, 2026-11-23) did worse on full-size photos. Users upload full-size photos.

    python scripts/tune_decode.py CHECKPOINT --data ../shared/data/val --images 300 --min-side 128 --aged --write
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402

from colorizer.checkpoints import read_metadata, update_metadata  # noqa: E402
from colorizer.decoding import DecodeSettings, decode, run_model  # noqa: E402
from colorizer.evaluation.evaluate import tuning_set  # noqa: E402
from colorizer.inference import Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize  # noqa: E402
from colorizer.restore import Restorer  # noqa: E402


def floats(s: str) -> list[float]:
    return [float(v) for v in s.split(",")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--data", required=True, help="the validation folder (not val-ood)")
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--size", type=int, default=256, help="evaluation size (squash), as in evaluate")
    ap.add_argument("--temperatures", default="0.38,0.5,0.7")
    ap.add_argument("--alphas", default="0,0.5,1.0")
    ap.add_argument("--confidences", default="0,40,60,90")
    ap.add_argument("--guide-radii", default="0,4")
    ap.add_argument("--guide-eps", type=float, default=1e-3)
    ap.add_argument("--flips", default="0", help="0,1 also tries mirrored test-time augmentation (a second forward pass)")
    ap.add_argument("--second-sizes", default="0", help="0,160 also tries averaging with a view at that working size (area about 160^2)")
    ap.add_argument("--working-sizes", default="224,160,192,256", help="each gets its own temperature x prior-correction search")
    ap.add_argument("--max-dcf", type=float, default=8.0, help="the quality bar's colourfulness tolerance")
    ap.add_argument("--min-side", type=int, default=0, help="only photos stored with at least this short side (px)")
    ap.add_argument("--aged", action="store_true", help="score each setting on the photos and on their seeded aging")
    ap.add_argument("--restore-options", default="0", help="0,1 also tries each setting with the tone restored first")
    ap.add_argument("--tone", default="weights/tone.safetensors", help="the tone-restoration model --restore-options uses")
    ap.add_argument("--write", action="store_true", help="store the choice in the checkpoint's metadata")
    ap.add_argument("--old", action="store_true", help="choose the old-photo decoding (see above) instead of the checkpoint's own")
    ap.add_argument("--gains", default="1", help="chroma gains after the gating")
    ap.add_argument("--max-wash", type=float, default=0.02, help="--old: the most wash a chosen setting may have")
    ap.add_argument("--detector", default="weights/old-print.safetensors", help="--old --write: the judgement that routes photos to it")
    ap.add_argument("--threshold", type=float, default=None, help="--old --write: the judgement's threshold (default: its own)")
    ap.add_argument("--repair-old", choices=("on", "off"), default=None,
                    help="--old --write: whether photos judged old also have their scratches and dust repaired "
                         "(colorizer.repair) by default (default: as the checkpoint has it)")
    args = ap.parse_args()
    if args.old and args.aged:
        ap.error("--old scores real old photographs as given; --aged does not apply")
    if args.repair_old and not (args.old and args.write):
        ap.error("--repair-old is stored with the old-photo decoding: it needs --old --write")
    data = tuning_set(args.data, args.images, args.size, args.min_side)  # the same squashing as `evaluate`
    imgs = data.images
    views = {"clean": imgs, **({"aged": data.age().inputs} if args.aged else {})}  # what the model is given
    c = Colorizer.load(args.checkpoint, backend="torch")
    lam = c.rebalance_lambda
    cache: dict[tuple, list] = {}
    restores = [bool(int(v)) for v in args.restore_options.split(",")]
    if args.old:  # the checkpoint's own tone: restored when its release restores it
        restores = [bool(c.metadata.get("restore_tone"))]
    tone = Restorer.load(args.tone) if any(restores) else None
    restored = {view: [tone.restore_pixels(x) for x in xs] for view, xs in views.items()} if tone else {}

    def given(view: str, r: bool) -> list:
        """What the model reads and its colors join: the photos, or their restored tone."""
        return restored[view] if r else views[view]

    def outputs(view: str, ws: int, r: bool, flip: bool, second: int) -> list:
        if (view, ws, r, flip, second) not in cache:
            with torch.inference_mode():
                cache[view, ws, r, flip, second] = [(ls, run_model(c.model, ls, None, DecodeSettings(flip=flip, second_size=second)))
                                                    for ls in (model_input(x, ws) for x in given(view, r))]
        return cache[view, ws, r, flip, second]

    def score(key: tuple[int, bool], s: DecodeSettings) -> dict:
        (ws, r), per = key, {}
        for view in views:  # the prediction joins the input's L; the truth is the clean photo
            rows = [image_metrics(join(x, decode(out, ls, s, lam)), t)
                    for (ls, out), x, t in zip(outputs(view, ws, r, s.flip, s.second_size), given(view, r), imgs)]
            per[view] = m = summarize(rows)
            print(f"working {ws}{' restored' if r else ''} {s} [{view}]: PSNR {m['psnr']:.2f} CIEDE {m['ciede2000']:.2f} tail {m['tail20']:.3f} "
                  f"paint {m['paint']:.3f} wash {m['wash']:.3f} CF {m['cf_pred']:.1f}/{m['cf_true']:.1f} |dCF| {m['dcf']:.1f}", flush=True)
        both = list(per.values())
        return {**{k: sum(m[k] for m in both) / len(both) for k in ("psnr", "ciede2000", "wash")},
                "dcf": max(m["dcf"] for m in both), "views": per}

    def best(cands: list[tuple[int, DecodeSettings, dict]]):
        ok = [r for r in cands if r[2]["dcf"] <= args.max_dcf]
        return min(ok, key=lambda r: (round(r[2]["ciede2000"], 3), -r[2]["psnr"])) if ok else min(cands, key=lambda r: r[2]["dcf"])

    if args.old:
        return choose_old(args, c, score)
    # temperature x prior correction at every working size (the model sees a different scale at each, so
    # the best sharpness of the distribution moves with it), then gating x guided upsampling at the best
    sizes = [int(v) for v in args.working_sizes.split(",")]
    base = DecodeSettings(guide_eps=args.guide_eps)
    tried = [((w, r), s, score((w, r), s)) for w in sizes for r in restores
             for s in (replace(base, temperature=t, prior_correction=a) for t in floats(args.temperatures) for a in floats(args.alphas))]
    ws, base, _ = best(tried)
    # gating takes color away where the model is undecided, so it is searched together with the prior
    # correction and a gain after it (a gated decoding may need a smaller alpha, or its decided pixels more chroma,
    # to stay as colorful as the photos)
    seen = {(w, s) for w, s, _ in tried}
    tried += [(ws, s, score(ws, s)) for s in (replace(base, prior_correction=a, confidence=k, gain=g, guide_radius=int(r), flip=bool(f),
                                                      second_size=int(m))
                                              for m in floats(args.second_sizes) for f in floats(args.flips) for a in floats(args.alphas)
                                              for k in floats(args.confidences) for g in floats(args.gains)
                                              for r in floats(args.guide_radii))
              if (ws, s) not in seen]
    (ws, r), chosen, m = best(tried)
    print(f"chosen: working size {ws}, tone {'restored' if r else 'as given'}, {chosen} (PSNR {m['psnr']:.2f}, CIEDE {m['ciede2000']:.2f}, "
          f"|dCF| {m['dcf']:.1f}) on {len(imgs)} photos of {args.data}")
    if args.write:
        update_metadata(args.checkpoint, {
            "working_size": ws, "temperature": chosen.temperature, "prior_correction": chosen.prior_correction,
            "restore_tone": Path(args.tone).stem if r else False,
            "decode": chosen.as_dict(),
            "decode_tuning": {"images": len(imgs), "data": str(args.data), "min_side": args.min_side, "max_dcf": args.max_dcf,
                              "grid": {k: getattr(args, k) for k in ("working_sizes", "restore_options", "temperatures", "alphas", "confidences", "gains", "guide_radii", "flips", "second_sizes")}, "settings_tried": len(tried),
                              "aged": args.aged, "scores": {v: {k: round(m[k], 3) for k in ("psnr", "ciede2000", "tail20", "paint", "wash", "dcf")}
                                                            for v, m in m["views"].items()},
                              "rule": "lowest CIEDE2000 (then best PSNR) among settings with |dCF| <= max_dcf"
                                      + (", both averaged over the photos and their aging, |dCF| on each" if args.aged else "")}})
        print(f"wrote to {args.checkpoint}")


def choose_old(args, c: Colorizer, score) -> None:
    """The old-photo decoding by the rule above, at the checkpoint's own working size and tone."""
    key = (c.working_size, bool(c.metadata.get("restore_tone")))
    modern = score(key, c.decoding)
    grid = [replace(c.decoding, temperature=t, prior_correction=a, confidence=k, gain=g, guide_radius=int(r),
                    guide_eps=args.guide_eps)
            for t in floats(args.temperatures) for a in floats(args.alphas) for k in floats(args.confidences)
            for g in floats(args.gains) for r in floats(args.guide_radii)]
    tried = [(s, score(key, s)) for s in grid]
    ok = [x for x in tried if x[1]["wash"] <= args.max_wash and x[1]["dcf"] <= args.max_dcf]
    if ok:
        (chosen, m), how = min(ok, key=lambda x: (round(x[1]["ciede2000"], 3), -x[1]["psnr"])), "within the bar"
    else:
        level = [x for x in tried if x[1]["psnr"] >= modern["psnr"] and x[1]["ciede2000"] <= modern["ciede2000"]]
        (chosen, m), how = min(level or [(c.decoding, modern)], key=lambda x: x[1]["wash"]), "least wash at no loss"
    print(f"modern decoding {c.decoding}: PSNR {modern['psnr']:.2f} CIEDE {modern['ciede2000']:.2f} wash {modern['wash']:.3f} "
          f"|dCF| {modern['dcf']:.1f}")
    print(f"chosen ({how}): {chosen} (PSNR {m['psnr']:.2f}, CIEDE {m['ciede2000']:.2f}, wash {m['wash']:.3f}, "
          f"|dCF| {m['dcf']:.1f}) on {len(tried)} settings, photos of {args.data}")
    if args.write:
        repair = (c.metadata.get("old_photo") or {}).get("repair", False) if args.repair_old is None else args.repair_old == "on"
        update_metadata(args.checkpoint, {"old_photo": {
            "decode": chosen.as_dict(), "detector": Path(args.detector).stem, "repair": repair,
            "threshold": args.threshold if args.threshold is not None else float(read_metadata(args.detector)["threshold"]),
            "tuning": {"data": str(args.data), "images": args.images, "max_wash": args.max_wash, "max_dcf": args.max_dcf,
                       "grid": {k: getattr(args, k) for k in ("temperatures", "alphas", "confidences", "gains", "guide_radii")},
                       "chosen_by": how, "scores": {k: round(m[k], 3) for k in ("psnr", "ciede2000", "wash", "dcf")},
                       "modern_scores": {k: round(modern[k], 3) for k in ("psnr", "ciede2000", "wash", "dcf")},
                       "rule": "lowest CIEDE2000 (then best PSNR) among settings with wash <= max_wash and |dCF| <= max_dcf; "
                               "else the least wash among settings no worse than the modern decoding on PSNR and CIEDE2000"}}})
        print(f"wrote to {args.checkpoint}")


if __name__ == "__main__":
    main()
