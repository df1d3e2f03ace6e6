"""Combine trained checkpoints into one, written with the first one's metadata (its decoding, unless
--alpha), the ingredients recorded:

  --how soup      a uniform weight average ("model soup", Wortsman et al. 2022) of checkpoints of one
                  architecture that share a lineage (fine-tuned from one another): one network, no extra
                  cost at inference.
  --how ensemble  the networks kept side by side, their predictions averaged (colorizer/models/ensemble.py):
                  one forward pass per member.
  --how member    the reverse: member --index of one ensemble checkpoint as a checkpoint of its own, with
                  its own training record (to warm-start training from: train.py --init-from).

    python scripts/combine_checkpoints.py runs/cand/soup23.safetensors runs/cand/v2.safetensors \\
        runs/cand/v3.safetensors --how soup --alpha 0.35
    python scripts/combine_checkpoints.py runs/cand/ens23.safetensors runs/cand/v2.safetensors \\
        runs/cand/v3.safetensors --how ensemble
    python scripts/combine_checkpoints.py runs/v3.safetensors weights/effnet-unet.safetensors --how member --index 1

Measured 2026-11-23 (docs/experiments.md): the soup of v2 and v2.1 tied v2 on val-ood; their ensemble lost to
v2 there.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from colorizer.checkpoints import load_checkpoint, save_checkpoint  # noqa: E402
from colorizer.models import create_model  # noqa: E402


# metadata of an ensemble checkpoint that does not describe its members
ENSEMBLE_ONLY = ("arch", "arch_kwargs", "ensemble", "training", "git_commit", "decode", "decode_tuning",
                 "prior_correction", "eval", "eval_val", "eval_protocol", "val_metrics")


def soup(loaded: list) -> tuple:
    model, meta = loaded[0]
    if any(m["arch"] != meta["arch"] or m.get("arch_kwargs") != meta.get("arch_kwargs") for _, m in loaded):
        sys.exit("combine_checkpoints: a soup's checkpoints must share one architecture and its settings")
    states = [m.state_dict() for m, _ in loaded]
    mean = {k: (sum(s[k].float() for s in states) / len(states)).to(v.dtype) if v.is_floating_point() else v
            for k, v in states[0].items()}
    model.load_state_dict(mean, strict=True)
    return model, "uniform weight average"


def ensemble(loaded: list) -> tuple:
    members = [{"arch": m["arch"], "kwargs": m.get("arch_kwargs", {})} for _, m in loaded]
    model = create_model("ensemble", members=members)
    for slot, (member, _) in zip(model.members, loaded):
        slot.load_state_dict(member.state_dict(), strict=True)
    return model, "predictions averaged by colorizer.decoding.average_outputs"


def member(loaded: list, index: int) -> tuple:
    """One member of an ensemble checkpoint, with the training record combine stored for it."""
    (model, meta), = loaded
    if meta["arch"] != "ensemble" or not 0 <= index < len(model.members):
        sys.exit("combine_checkpoints: --how member needs one ensemble checkpoint and an --index below its size")
    own = meta.get("ensemble", {}).get("members", [])
    record = own[index] if index < len(own) else {}
    # the ensemble's own decoding and evaluation rows are not the member's: its recorded decoding instead
    keep = {k: v for k, v in meta.items() if k not in ENSEMBLE_ONLY}
    decode = record.get("decode") or {}
    return model.members[index], dict(keep, training=record.get("training", {}), git_commit=record.get("git_commit"),
                                      decode=decode, prior_correction=decode.get("prior_correction", 0.0),
                                      member_of={"index": index})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--how", choices=("soup", "ensemble", "member"), required=True)
    ap.add_argument("--index", type=int, default=0, help="--how member: which member (0 = the first)")
    ap.add_argument("--alpha", type=float, default=None, help="prior correction to store (default: the first's)")
    args = ap.parse_args()
    loaded = [load_checkpoint(p) for p in args.checkpoints]
    if args.how == "member":
        if len(loaded) != 1:
            sys.exit("combine_checkpoints: --how member takes one ensemble checkpoint")
        model, meta = member(loaded, args.index)
        save_checkpoint(args.out, model, dict(meta, arch=model.arch_name, arch_kwargs=model.arch_kwargs),
                        half=meta.get("dtype") == "float16")
        print(f"wrote {args.out}: member {args.index} of {args.checkpoints[0]}")
        return
    model, rule = (soup if args.how == "soup" else ensemble)(loaded)
    meta = {k: v for k, v in loaded[0][1].items() if k not in ("arch", "arch_kwargs", "soup", "ensemble")}
    # each ingredient's own training record, so the model card can give every run behind the result
    meta[args.how] = {"of": args.checkpoints, "rule": rule,
                      "members": [{"path": p, "training": m.get("training", {}), "git_commit": m.get("git_commit"),
                                   "decode": m.get("decode")} for p, (_, m) in zip(args.checkpoints, loaded)]}
    if args.alpha is not None:
        meta["prior_correction"] = args.alpha
        meta["decode"] = dict(meta.get("decode") or {}, prior_correction=args.alpha)
    save_checkpoint(args.out, model, meta, half=meta.get("dtype") == "float16")
    print(f"wrote {args.out}: {args.how} of {len(loaded)} checkpoints, decode {meta.get('decode')}")


if __name__ == "__main__":
    main()
