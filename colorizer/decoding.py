"""From a model's output to ab at the working size: the decoding settings, in one place.

Where false saturated patches came from, and what each setting does about it:
  - `temperature` (annealed mean, Zhang et al. 2016): a low T picks the mode, and where two distant hues
    are about equally likely the mode flips between them from pixel to pixel: blotches.
  - `prior_correction` (alpha): a model trained with class rebalancing over-predicts rare saturated bins;
    alpha undoes that by a per-bin logit shift (bins.prior_correction).
  - `confidence` (s0, ab units; 0 = off): where the predicted distribution is spread out (split between
    distant hues, or flat), the chroma of the annealed mean is scaled by 1 / (1 + (spread / s0)^2), spread
    being the standard deviation of ab under the distribution. Confident pixels keep their color,
    undecided ones fall back toward gray instead of a guess.
  - `gain` (1 = off): the chroma scaled after the gating. Gating quiets the undecided pixels and, with
    them, the photo's overall colourfulness; a gain above 1 gives the decided ones their colour back, so a
    decoding can be both quiet where unsure and as colourful as the photo where sure (the old-photo
    decoding, chosen on real old photographs: docs/experiments.md).
  - `flip` (test-time augmentation): the model also sees the photo mirrored, and the two predicted
    distributions are averaged. Where a guess is unstable (red on one side, blue on the other) the average
    is spread out, so the annealed mean falls back toward a mixed, duller color instead of a blotch;
    costs a second forward pass.
  - `second_size` (test-time augmentation, 0 = off): the model also sees the photo at this working size
    (area about second_size^2, as the working size; 160: the size of the training crops), and the
    distributions are averaged on the first view's grid. The two scales disagree where a guess is
    scale-dependent, and the average falls back toward the colors both agree on. Measured for v2 on 300 val photos
    at equal colorfulness: +0.06 to +0.11 dB PSNR, 0 to -0.06 CIEDE2000, for half a forward pass more (a
    second view made from the photo rather than from the working copy did better, +0.09 to +0.15 / -0.06
    to -0.12: experiments/decode_experiments.py). Not shipped: at the tuning rule's |dCF| <= 6 boundary it
    gains about 0.04 CIEDE2000. The second view gets no hint planes (an area-resized mask is fractional,
    which the network never saw in training); colorizer.propagate enforces the hints after the network
    either way. Skipped when the first view is not larger than second_size.
  - `guide_radius` / `guide_eps`: the bins head works at 1/4 resolution, and bilinear upsampling lets ab
    bleed across edges (a red coat's color onto the wall behind). A guided filter (He et al., 2010) with
    the photo's L at working size as guide makes ab follow the photo's edges instead.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F

from . import bins
from .color import normalize_ab

KEYS = ("temperature", "prior_correction", "confidence", "gain", "guide_radius", "guide_eps", "flip", "second_size")


@dataclass(frozen=True)
class DecodeSettings:
    temperature: float = bins.DEFAULT_TEMPERATURE
    prior_correction: float = 0.0
    confidence: float = 0.0
    gain: float = 1.0
    guide_radius: int = 0
    guide_eps: float = 1e-3
    flip: bool = False
    second_size: int = 0

    @classmethod
    def from_metadata(cls, meta: dict) -> "DecodeSettings":
        """What a checkpoint says about its decoding (older checkpoints: temperature and alpha only). The
        decoding chosen for old photographs is read the same way from the checkpoint's "old_photo" entry."""
        d = meta.get("decode") or {}
        return cls(temperature=float(d.get("temperature", meta.get("temperature", bins.DEFAULT_TEMPERATURE))),
                   prior_correction=float(d.get("prior_correction", meta.get("prior_correction", 0.0))),
                   confidence=float(d.get("confidence", 0.0)), gain=float(d.get("gain", 1.0)),
                   guide_radius=int(d.get("guide_radius", 0)),
                   guide_eps=float(d.get("guide_eps", 1e-3)), flip=bool(d.get("flip", False)),
                   second_size=int(d.get("second_size", 0)))

    def as_dict(self) -> dict:
        return asdict(self)


def moments(p: torch.Tensor, centers: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Probabilities over the bins (B,Q,h,w) -> the mean ab (B,2,h,w) and the variance of ab (B,h,w):
    E||ab||^2 - ||E ab||^2, how spread out (undecided) the distribution is."""
    c = centers.to(p)
    mean = torch.einsum("bqhw,qc->bchw", p, c)
    second = torch.einsum("bqhw,q->bhw", p, (c ** 2).sum(1))
    return mean, (second - (mean ** 2).sum(1)).clamp_min(0.0)


def bins_to_ab(logits: torch.Tensor, s: DecodeSettings, lam: float = 0.5) -> torch.Tensor:
    """Logits (B,Q,h,w) -> ab in Lab units (B,2,h,w): annealed mean, prior correction, confidence gating."""
    centers = bins.load_bins()["centers"]
    shift = bins.prior_correction(s.prior_correction, lam) if s.prior_correction else None
    ab = bins.annealed_mean(logits, centers, s.temperature, shift)
    if s.confidence > 0:
        z = logits.float() + (shift.to(logits.device).view(1, -1, 1, 1) if shift is not None else 0.0)
        _, spread2 = moments(F.softmax(z, dim=1), centers)
        ab = ab / (1.0 + spread2 / s.confidence ** 2).unsqueeze(1)
    return ab * s.gain if s.gain != 1.0 else ab


def _on_grid(x: torch.Tensor, size) -> torch.Tensor:
    x = x.float()
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)


def average_outputs(views: list[dict]) -> dict:
    """Average several views' outputs on the first one's grid: probabilities for the bins head (returned as
    log-probabilities, which decode like logits), ab for a regression head."""
    merged = {}
    for key in ("logits", "ab"):
        if key in views[0]:
            size = views[0][key].shape[-2:]
            parts = [F.softmax(v[key].float(), dim=1) if key == "logits" else v[key] for v in views]
            mean = sum(_on_grid(p, size) for p in parts) / len(parts)
            merged[key] = mean.clamp_min(1e-12).log() if key == "logits" else mean
    return merged


# The working shape's sides are multiples of this. The network trained on crops of 96 and 128 px only, and
# a side that its strides (4 to 32) do not divide shifts the encoder's padding against the decoder's grid.
# On all 860 val photos at their own aspect ratio (`python experiments/working_shape.py ../shared/data/val
# --multiples 1,4,8,16,32`; PSNR / CIEDE2000, CF, truth 40.7): shapes as they fell 23.08 / 10.85, CF 38.1;
# multiples of 4: 23.32 / 10.62; 8: 23.35 / 10.59; 16: 23.39 / 10.56; 32: 23.38 / 10.58 (CF 36.7-36.9).
# Squashed square photos show it too: working 190 x 190 scores 22.13 / 11.61, 192 x 192 23.35 / 10.42.
# 16 changes a photo's aspect by at most 8 px in about 200 (32 would double that) for the same gain.
SHAPE_MULTIPLE = 16


def working_shape(h: int, w: int, size: int) -> tuple[int, int]:
    """The model's input shape for an h x w photo at working size `size`: the aspect ratio kept (to within
    half a SHAPE_MULTIPLE), the area about size^2 (so cost is fixed), sides multiples of SHAPE_MULTIPLE.
    Used by inference for the first view and by the second scale below."""
    k = size / (h * w) ** 0.5
    m = SHAPE_MULTIPLE
    return max(m, round(h * k / m) * m), max(m, round(w * k / m) * m)


def rescale(l_norm: torch.Tensor, working: int) -> torch.Tensor:
    """l_norm (B,1,H,W) at another working size (working_shape), antialiased."""
    size = working_shape(*l_norm.shape[-2:], working)
    return F.interpolate(l_norm, size=size, mode="bilinear", align_corners=False, antialias=True)


def run_model(model, l_norm: torch.Tensor, hints: torch.Tensor | None, s: DecodeSettings) -> dict:
    """The model's output for l_norm (and hint planes), averaged with the mirrored view when s.flip and with
    a smaller view (no hints) when s.second_size."""
    call = (lambda x, h: model(x)) if hints is None else model  # noqa: E731  (the seeds take no hint input)
    views = [call(l_norm, hints)]
    if s.flip:
        mirrored = call(l_norm.flip(-1), None if hints is None else hints.flip(-1))
        views.append({k: v.flip(-1) for k, v in mirrored.items()})
    if s.second_size and s.second_size ** 2 < l_norm.shape[-2] * l_norm.shape[-1]:
        views.append(model(rescale(l_norm, s.second_size)))
    return views[0] if len(views) == 1 else average_outputs(views)


def _box(x: torch.Tensor, r: int) -> torch.Tensor:
    return F.avg_pool2d(x, 2 * r + 1, stride=1, padding=r, count_include_pad=False)


def guided_filter(guide: torch.Tensor, src: torch.Tensor, r: int, eps: float) -> torch.Tensor:
    """He et al.'s guided filter: src (B,C,H,W) smoothed so that its edges follow guide (B,1,H,W)."""
    mean_i, mean_p = _box(guide, r), _box(src, r)
    cov = _box(guide * src, r) - mean_i * mean_p
    var = _box(guide * guide, r) - mean_i * mean_i
    a = cov / (var + eps)
    b = mean_p - a * mean_i
    return _box(a, r) * guide + _box(b, r)


def upsample_ab(ab_norm: torch.Tensor, size, guide: torch.Tensor | None, s: DecodeSettings) -> torch.Tensor:
    """Normalized ab at the head's resolution -> at `size` (the working size): bilinear, then guided by L."""
    if tuple(ab_norm.shape[-2:]) != tuple(size):
        ab_norm = F.interpolate(ab_norm, size=tuple(size), mode="bilinear", align_corners=False)
    if s.guide_radius > 0 and guide is not None:
        ab_norm = guided_filter(guide.float(), ab_norm, s.guide_radius, s.guide_eps)
    return ab_norm


def decode(out: dict, l_norm, s: DecodeSettings, lam: float = 0.5, mode: str = "auto") -> torch.Tensor:
    """Model output dict -> normalized ab at the size of l_norm (the model's input, also the guide of the
    upsampling) or at l_norm itself when it is a (h, w) size (no guide). mode: auto | bins | regression."""
    if "logits" in out and mode in ("auto", "bins"):
        ab = normalize_ab(bins_to_ab(out["logits"], s, lam))
    elif "ab" in out:
        ab = out["ab"].float().clamp(-1.0, 1.0)  # unbounded regressors (resnet-mid): beyond +-110 is out of gamut
    else:
        raise ValueError("model output has neither 'logits' nor 'ab'")
    if isinstance(l_norm, torch.Tensor):
        return upsample_ab(ab, l_norm.shape[-2:], l_norm, s)
    return upsample_ab(ab, l_norm, None, s)
