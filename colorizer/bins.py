"""Zhang et al. (ECCV 2016) quantized-ab machinery: bin centres, soft encoding, class rebalancing,
annealed-mean decoding. The centres and the empirical prior are data, made by
`scripts/make_ab_bins.py` and stored as JSON in `colorizer/assets/ab_bins.json` (no pickles).

All ab values here are in real Lab units (not normalized); callers convert with `colorizer.color`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F

ASSET = Path(__file__).with_name("assets") / "ab_bins.json"
DEFAULT_TEMPERATURE = 0.38  # Zhang et al.'s annealed-mean temperature


@lru_cache(maxsize=1)
def load_bins(path: str | None = None) -> dict:
    """{'centers': (Q,2) tensor, 'prior': (Q,) tensor, 'grid': float, ...} from the JSON asset."""
    data = json.loads(Path(path or ASSET).read_text())
    return {
        "centers": torch.tensor(data["centers"], dtype=torch.float32),
        "prior": torch.tensor(data["prior"], dtype=torch.float32),
        "grid": float(data["grid"]),
        "source": data.get("source", ""),
    }


def num_bins() -> int:
    return int(load_bins()["centers"].shape[0])


def rebalance_weights(prior: torch.Tensor, lam: float = 0.5) -> torch.Tensor:
    """w ∝ ((1-lam) p + lam/Q)^-1, scaled so that E_p[w] = 1 (Zhang et al. eq. 4).

    lam = 1 means no rebalancing; smaller lam boosts rare (saturated) colors more strongly.
    """
    q = prior.numel()
    w = 1.0 / ((1.0 - lam) * prior + lam / q)
    return w / (prior * w).sum()


def nearest_bin(ab: torch.Tensor, centers: torch.Tensor) -> torch.Tensor:
    """ab (B,2,H,W) -> index of the nearest centre (B,H,W)."""
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    idx = torch.cdist(flat, centers.to(flat)).argmin(dim=1)
    return idx.view(ab.shape[0], ab.shape[2], ab.shape[3])


def soft_encode_sparse(ab: torch.Tensor, centers: torch.Tensor, k: int = 5,
                       sigma: float = 5.0) -> tuple[torch.Tensor, torch.Tensor]:
    """ab (B,2,H,W) -> (idx, wts), each (B,k,H,W): the k nearest centres and their Gaussian weights.

    What the loss uses: a cross-entropy against it is a gather of k log-probabilities, not a product
    with a dense (B,Q,H,W) target that is zero in Q - k places (a fifth of the training step)."""
    flat = ab.permute(0, 2, 3, 1).reshape(-1, 2)
    d, idx = torch.cdist(flat, centers.to(flat)).topk(k, dim=1, largest=False)
    wts = torch.softmax(-(d ** 2) / (2 * sigma ** 2), dim=1)
    b, _, h, w = ab.shape
    return (idx.view(b, h, w, k).permute(0, 3, 1, 2), wts.view(b, h, w, k).permute(0, 3, 1, 2))


def soft_encode(ab: torch.Tensor, centers: torch.Tensor, k: int = 5, sigma: float = 5.0) -> torch.Tensor:
    """ab (B,2,H,W) -> soft one-hot (B,Q,H,W) over the k nearest centres, Gaussian-weighted."""
    idx, wts = soft_encode_sparse(ab, centers, k, sigma)
    b, _, h, w = ab.shape
    return torch.zeros(b, centers.shape[0], h, w, dtype=wts.dtype, device=wts.device).scatter_(1, idx, wts)


def prior_correction(alpha: float, lam: float = 0.5) -> torch.Tensor:
    """Per-bin logit shift -alpha * log w (Q,) that undoes class rebalancing at decode time.

    A model trained with rebalancing weights w predicts p(q|x) * w(q) (up to normalization), which
    over-paints rare saturated colors. Subtracting alpha * log w moves it back toward the calibrated
    p(q|x): alpha = 0 keeps the rebalanced (vivid) output, alpha = 1 the calibrated (accurate, duller) one.
    """
    return -float(alpha) * torch.log(rebalance_weights(load_bins()["prior"], lam))


def annealed_mean(logits: torch.Tensor, centers: torch.Tensor, temperature: float = DEFAULT_TEMPERATURE,
                  shift: torch.Tensor | None = None) -> torch.Tensor:
    """Logits (B,Q,H,W) -> ab (B,2,H,W): the mean of softmax((logits + shift) / T) over the bin centres.

    T -> 0 gives the mode (vivid, can be patchy); T = 1 the mean (safe, desaturated). `shift` (Q,) is
    an optional per-bin logit offset (see prior_correction).
    """
    logits = logits.float()
    if shift is not None:
        logits = logits + shift.to(logits).view(1, -1, 1, 1)
    probs = F.softmax(logits / max(float(temperature), 1e-3), dim=1)
    return torch.einsum("bqhw,qc->bchw", probs, centers.to(probs))
