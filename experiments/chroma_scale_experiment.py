"""The per-photo chroma scale experiment of 2026-11-23 (not shipped; docs/experiments.md, "A chroma scale per photo").

Most of the flagship's error is whole photos painted in a plausible but wrong hue. If one factor per photo
scaled its colors (0: leave it gray where the guess is wrong), how much would that gain, and can the network's
own features predict the factor?

  oracle     the least-squares factor from the truth (ab of the prediction against ab of the photo), per photo;
  predicted  a ridge regression from the encoder's pooled deepest features, the mean chroma, spread and entropy
             of the predicted distribution and the photo's lightness statistics, its output divided by its mean
             so that the overall colorfulness stays about put. Fitted (never on val-ood) either on training
             photos (--fit-on train) or on the val photos outside the 300 scored ones (--fit-on
             val-rest: photos the network never trained on, as a user's are).

    python experiments/chroma_scale_experiment.py weights/effnet-unet.safetensors --train ../shared/data/train \\
        --val ../shared/data/val [--fit-on val-rest]
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from colorizer import bins  # noqa: E402
from colorizer.color import normalize_ab  # noqa: E402
from colorizer.decoding import DecodeSettings, bins_to_ab, moments, upsample_ab  # noqa: E402
from colorizer.evaluation.evaluate import load_eval_set, tuning_files  # noqa: E402
from colorizer.imageio import find_images  # noqa: E402
from colorizer.inference import Colorizer, model_input  # noqa: E402
from colorizer.join import join  # noqa: E402
from colorizer.evaluation.metrics import image_metrics, summarize, to_lab  # noqa: E402


def photo_files(root: str, n: int, seed: int) -> list[Path]:
    """n photos stored at 128 px or more (for seed 1 on val, the photos tune_decode.py --min-side 128 draws)."""
    return tuning_files(root, n, min_side=128, seed=seed)


def predict(c: Colorizer, imgs: list[np.ndarray], s: DecodeSettings) -> list[tuple[torch.Tensor, np.ndarray]]:
    """Each photo's decoded ab at working 224 and its feature vector."""
    feats, out = {}, []
    hook = c.model.encoder.register_forward_hook(lambda m, i, o: feats.__setitem__("f", o))
    centers = bins.load_bins()["centers"]
    with torch.inference_mode():
        for x in imgs:
            ls = model_input(x, 224)
            logits = c.model(ls)["logits"].float()
            ab = upsample_ab(normalize_ab(bins_to_ab(logits, s)), ls.shape[-2:], ls, s)
            p = F.softmax(logits, 1)
            mean, variance = moments(p, centers)
            spread = variance.sqrt()
            entropy = -(p * p.clamp_min(1e-12).log()).sum(1)
            chroma = mean.norm(dim=1)
            f16, f32 = feats["f"][2], feats["f"][3]
            g = torch.cat([f32.mean((2, 3))[0], f16.mean((2, 3))[0],
                           torch.stack([chroma.mean(), spread.mean(), entropy.mean(), (chroma > 20).float().mean(),
                                        ls.mean(), ls.std()])])
            out.append((ab, g.numpy()))
    hook.remove()
    return out


def oracle(x: np.ndarray, ab: torch.Tensor) -> float:
    pred, truth = to_lab(join(x, ab))[..., 1:], to_lab(x)[..., 1:]
    return float(np.clip((pred * truth).sum() / max((pred ** 2).sum(), 1e-6), 0.0, 1.5))


def score(label: str, imgs, preds, scales) -> None:
    m = summarize([image_metrics(join(x, ab * float(k)), x) for x, (ab, _), k in zip(imgs, preds, scales)])
    print(f"{label}: PSNR {m['psnr']:.2f} CIEDE {m['ciede2000']:.2f} tail {m['tail20']:.3f} "
          f"CF {m['cf_pred']:.1f}/{m['cf_true']:.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("--train", required=True, help="photos to fit the predictor on (training split)")
    ap.add_argument("--val", required=True, help="the validation folder (not val-ood)")
    ap.add_argument("--train-images", type=int, default=4000)
    ap.add_argument("--val-images", type=int, default=300)
    ap.add_argument("--ridge", type=float, default=1000.0)
    ap.add_argument("--fit-on", choices=("train", "val-rest"), default="train")
    args = ap.parse_args()
    c = Colorizer.load(args.checkpoint, backend="torch")
    base = DecodeSettings(temperature=0.38, guide_radius=4)
    scored = photo_files(args.val, args.val_images, 1)
    if args.fit_on == "train":
        train_imgs = load_eval_set(photo_files(args.train, args.train_images, 7), 256).images
    else:  # the val photos tune_decode.py does not draw: held out from training and from the scored photos
        train_imgs = load_eval_set([f for f in find_images(args.val) if f not in set(scored)], 256).images
    train = predict(c, train_imgs, replace(base, prior_correction=0.5))
    x_tr = np.stack([g for _, g in train])
    y_tr = np.array([oracle(x, ab) for x, (ab, _) in zip(train_imgs, train)])
    mu, sd = x_tr.mean(0), x_tr.std(0) + 1e-6
    z = np.c_[(x_tr - mu) / sd, np.ones(len(x_tr))]
    w = np.linalg.solve(z.T @ z + args.ridge * np.diag(np.r_[np.ones(z.shape[1] - 1), 0.0]), z.T @ y_tr)
    val_imgs = load_eval_set(scored, 256).images
    for alpha in (0.3, 0.5):
        preds = predict(c, val_imgs, replace(base, prior_correction=alpha))
        p = np.clip(np.c_[(np.stack([g for _, g in preds]) - mu) / sd, np.ones(len(preds))] @ w, 0.0, 1.5)
        best = np.array([oracle(x, ab) for x, (ab, _) in zip(val_imgs, preds)])
        print(f"alpha {alpha}: predicted factor vs oracle's, correlation {np.corrcoef(p, best)[0, 1]:.2f}")
        score(f"alpha {alpha} as decoded", val_imgs, preds, np.ones(len(preds)))
        score(f"alpha {alpha} predicted factor", val_imgs, preds, p / p.mean())
        score(f"alpha {alpha} oracle factor", val_imgs, preds, best)


if __name__ == "__main__":
    main()
