"""Routing measured offline: each network colorizes every photo once (clean, and aged as `evaluate --aged`
ages it), its per-photo scores are kept, and any judgement and threshold is then scored by picking, photo by
photo, the row of the network it routes to (the columns are means over photos, |dCF| of the means, so this is
exactly what the routed pipeline would score). The thresholds are read on val; never run on val-ood.

    python experiments/routing_offline.py --old OLD.safetensors --clean CLEAN.safetensors --data DIR \
        [--detector runs/detector.json] [--cnn recipes/old-print-v1/model.safetensors] [--images 300]

--detector (the statistics judgement, written by experiments/old_print_detector.py) and --cnn (a trained one) are
each scored when given."""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.evaluation.evaluate import load_eval_set, tuning_files  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize  # noqa: E402
from colorizer.routing import OldPrintDetector  # noqa: E402
from colorizer.color import photo_l  # noqa: E402
from experiments.old_print_detector import StatisticsDetector, print_features  # noqa: E402


def per_photo_rows(ckpt: str, inputs: list[np.ndarray], truth: list[np.ndarray], cache: Path) -> list[dict]:
    if cache.is_file():
        return json.loads(cache.read_text())
    c = Colorizer.load(ckpt, route=False)
    rows = [image_metrics(c.colorize_arrays([x])[0], t) for x, t in zip(inputs, truth)]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(rows))
    return rows


def line(m: dict) -> str:
    return f"{m['psnr']:.2f} / {m['ciede2000']:.2f} / {m['tail20']:.3f}, CF {m['cf_pred']:.1f} (|dCF| {m['dcf']:.2f})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--clean", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--images", type=int, default=300)
    ap.add_argument("--detector", default=None)
    ap.add_argument("--cnn", default=None)
    ap.add_argument("--thresholds", default="0.2,0.3,0.4,0.5,0.6")
    a = ap.parse_args()
    data = load_eval_set(tuning_files(a.data, a.images, min_side=128), 256)
    tag = hashlib.sha1(f"{a.data}|{a.images}".encode()).hexdigest()[:8]
    views = {"clean": list(data.images)}
    views["aged"] = list(data.age().model_inputs)
    stats = StatisticsDetector.from_metadata(json.loads(Path(a.detector).read_text())) if a.detector else None
    cnn = OldPrintDetector.load(a.cnn) if a.cnn else None
    for view, xs in views.items():
        truth = data.images
        rows = {k: per_photo_rows(p, xs, truth, Path("runs/rows") / f"{Path(p).stem}-{tag}-{view}.json")
                for k, p in (("old", a.old), ("clean", a.clean))}
        ls = [photo_l(x) for x in xs]
        probs = {}
        if stats is not None:
            probs["statistics"] = stats.probability_of(np.stack([print_features(l) for l in ls]))
        if cnn is not None:
            probs["cnn"] = cnn.probabilities(ls)
        print(f"[{view}] old-print network alone: {line(summarize(rows['old']))}")
        print(f"[{view}] clean network alone:     {line(summarize(rows['clean']))}")
        for j, p in probs.items():
            for th in [float(t) for t in a.thresholds.split(",")]:
                pick = [rows["old"][i] if p[i] >= th else rows["clean"][i] for i in range(len(xs))]
                print(f"[{view}] routed by {j} at {th:.2f} ({np.mean(p >= th):.0%} to the old-print network): "
                      f"{line(summarize(pick))}")


if __name__ == "__main__":
    main()
