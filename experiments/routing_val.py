"""The routed default against its two networks alone, on val's tuning photos (clean and aged as `evaluate
--aged` ages them): what sending photos that do not look like old prints to a clean-photo partner does.

    python experiments/routing_val.py PARTNER.safetensors [--flagship weights/effnet-unet.safetensors]
        [--detector recipes/old-print-v1/model.safetensors] [--threshold 0.5] [--images 300]

The three rows are built in a temporary folder (the flagship's copy names the partner and the judgement beside
it in its metadata, as a release writes it); nothing under weights/ changes. Never run on val-ood.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.checkpoints import update_metadata  # noqa: E402
from colorizer.evaluation.evaluate import evaluate, tuning_files  # noqa: E402

ROWS = ("flagship", "routed", "partner")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("partner")
    ap.add_argument("--flagship", default="weights/effnet-unet.safetensors")
    ap.add_argument("--detector", default="recipes/old-print-v1/model.safetensors")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--data", default="../shared/data/val")
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    d = Path(tempfile.mkdtemp(prefix="routing-"))
    shutil.copy(a.flagship, d / "flagship.safetensors")
    shutil.copy(a.flagship, d / "routed.safetensors")
    shutil.copy(a.partner, d / "partner.safetensors")
    shutil.copy(a.detector, d / "old-print.safetensors")
    update_metadata(d / "routed.safetensors", {"clean_partner": {"checkpoint": "partner", "detector": "old-print",
                                                                 "threshold": a.threshold}})
    files = tuning_files(a.data, a.images, min_side=128)
    out = {}
    for aged in (False, True):
        res = evaluate(files, [str(d / f"{r}.safetensors") for r in ROWS], size=256, semantic=False, aged=aged,
                       progress=False)["results"]
        res = {Path(k).stem: v for k, v in res.items()}  # rows are named by the paths given
        out["aged" if aged else "clean"] = res
        for row in ("gray", *ROWS):
            m = res[row]
            print(f"{'aged' if aged else 'clean'} {row:>9s}: PSNR {m['psnr']:.2f} CIEDE2000 {m['ciede2000']:.2f} "
                  f"tail20 {m['tail20']:.3f} CF {m['cf_pred']:.1f} (truth {m['cf_true']:.1f}) |dCF| {m['dcf']:.2f}",
                  flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
