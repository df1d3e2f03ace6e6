"""A uniform weight average ("model soup", Wortsman et al. 2022) of checkpoints of one architecture that
share a lineage (fine-tuned from one another), written as a new checkpoint with the first one's metadata,
the soup's ingredients recorded, and optionally another prior correction.

    python scripts/make_soup.py runs/cand/soup23.safetensors runs/cand/v2.safetensors runs/cand/v3.safetensors \
        --alpha 0.35

Session 7: v2 + v3 tied v2 on val-ood (README); kept for the next candidates.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from colorizer.checkpoints import load_checkpoint, save_checkpoint  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--alpha", type=float, default=None, help="prior correction to store (default: the first's)")
    args = ap.parse_args()
    loaded = [load_checkpoint(p) for p in args.checkpoints]
    model, meta = loaded[0]
    if any(m["arch"] != meta["arch"] or m.get("arch_kwargs") != meta.get("arch_kwargs") for _, m in loaded):
        sys.exit("make_soup: the checkpoints must share one architecture and its settings")
    states = [m.state_dict() for m, _ in loaded]
    mean = {k: (sum(s[k].float() for s in states) / len(states)).to(v.dtype) if v.is_floating_point() else v
            for k, v in states[0].items()}
    model.load_state_dict(mean, strict=True)
    meta = dict(meta, soup={"of": args.checkpoints, "rule": "uniform weight average"})
    if args.alpha is not None:
        meta["prior_correction"] = args.alpha
        meta["decode"] = dict(meta.get("decode") or {}, prior_correction=args.alpha)
    save_checkpoint(args.out, model, meta, half=meta.get("dtype") == "float16")
    print(f"wrote {args.out}: average of {len(states)} checkpoints, decode {meta.get('decode')}")


if __name__ == "__main__":
    main()
