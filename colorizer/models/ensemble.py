"""An ensemble: several trained colorization networks that see the same photo, their predictions averaged.

Why: where the networks agree the colors stay; where they disagree (one says a red car, the other a blue
one, the thing whose color the photo does not tell) the averaged distribution over the ab bins is spread
out and its annealed mean falls back toward gray instead of committing to one guess.

Measured 2026-11-23 and not shipped (docs/experiments.md): v2 and v2.1 (fine-tuned from v2) averaged gain
about 0.15 dB PSNR and 0.15 CIEDE2000 over v2 alone on the 300 val tuning photos at equal colorfulness, but
with the decoding the tuning rule chose on val (prior correction 0.28) it scored 22.86 / 10.63 on val-ood
(CF 38.7) against v2's 23.12 / 10.30 (CF 36.2): more color on cars, fashion and interiors, v2.1's habit.

The members are stored in one checkpoint (`members.0.*`, `members.1.*`, ...), and `arch_kwargs` says how
to rebuild each (`{"members": [{"arch": ..., "kwargs": {...}}, ...]}`), so loading stays strict. The
average is colorizer.decoding.average_outputs, the same one test-time augmentation uses: probabilities
for a bins head (returned as log-probabilities), ab for a regression head. Hint planes go to the members
that take them.
"""
from __future__ import annotations

import itertools

import torch
import torch.nn as nn

from ..decoding import average_outputs
from .base import ColorModel
from .registry import create_model, register_model

AVERAGED = {"logits", "ab"}


class Ensemble(ColorModel):
    def __init__(self, members: list[dict]):
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        if not all(isinstance(m, dict) and isinstance(m.get("arch"), str) and isinstance(m.get("kwargs", {}), dict)
                   for m in members):  # a TypeError: create_model reports it as bad settings
            raise TypeError("each ensemble member must be {'arch': name, 'kwargs': {...}}")
        self.members = nn.ModuleList(create_model(m["arch"], **m.get("kwargs", {})) for m in members)
        kinds = {getattr(m, "output_kind", "regression") for m in self.members}
        if len(kinds) > 1:
            raise TypeError(f"ensemble members must share one output kind, not {sorted(kinds)}")
        self.output_kind = kinds.pop()
        self.accepts_hints = any(getattr(m, "accepts_hints", False) for m in self.members)
        # one architecture: the members' outputs share a grid at every input size, so the traced graph
        # needs no resampling (a traced resize would bake in the export size)
        self.exports_to_onnx = (len({m["arch"] for m in members}) == 1
                                and all(getattr(m, "exports_to_onnx", True) for m in self.members))

    def load_pretrained_encoder(self) -> None:
        """The ImageNet weights into every member that has a pretrained encoder (training from scratch)."""
        for m in self.members:
            if hasattr(m, "load_pretrained_encoder"):
                m.load_pretrained_encoder()

    def encoder_parameters(self):
        """The members' pretrained encoders (training gives them their own learning rate)."""
        return itertools.chain.from_iterable(m.encoder_parameters() for m in self.members
                                             if hasattr(m, "encoder_parameters"))

    def hint_weights(self) -> list:
        return [pair for m in self.members if hasattr(m, "hint_weights") for pair in m.hint_weights()]

    def forward(self, l: torch.Tensor, hints: torch.Tensor | None = None) -> dict:
        outs = []
        for i, m in enumerate(self.members):
            out = m(l, hints) if hints is not None and getattr(m, "accepts_hints", False) else m(l)
            if not AVERAGED & set(out):
                raise ValueError(f"ensemble member {i} returns {sorted(out)}; an ensemble averages 'logits' or 'ab'")
            outs.append({k: v for k, v in out.items() if k in AVERAGED})
        return outs[0] if len(outs) == 1 else average_outputs(outs)


@register_model("ensemble")
def ensemble(members: list[dict] | None = None) -> Ensemble:
    """Default: two effnet-unets (what was measured); a checkpoint's arch_kwargs name its own."""
    return Ensemble(members or [{"arch": "effnet-unet", "kwargs": {}}] * 2)
