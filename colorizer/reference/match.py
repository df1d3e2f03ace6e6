"""Colours from a reference photo: the parts of a gray photo that a colour photo also shows take its colours.

A reference (a colour photo of the same place, person or film) gives hues that no network can guess from gray.
How they reach the photo (after Deep Exemplar-based Colorization, He et al. 2018, without its trained networks):
1. Both photos' lightness, at about the working size, through the ImageNet features of colorizer.reference.features;
   every 8x8 cell of the photo finds its most similar cell of the reference (cosine similarity).
2. Whether the reference shows this scene at all: the share of the photo's cells whose match is mutual (each is the
   other's best) and strong. Below `min_related` the reference is unrelated and gives nothing: the photo is
   coloured exactly as without it, never painted in the reference's palette.
3. A cell whose best match is at least `min_similarity` takes the reference's colours from there, pixel by pixel
   (the matched cell's offset carried to each of its pixels); the rest of the photo gets none.
4. Those colours become hint planes (colorizer.hints' a, b, mask) laid on the network's own colours by the
   edge-aware spread of user hints (colorizer.propagate): each matched region keeps the reference's colours and
   carries its correction to unmatched neighbours of like lightness; elsewhere the network's colours stay. They are
   not fed to the network's hint input (`to_network`): it learned sparse points, and dense planes read worse there.
A user's own hints win where they are: reference colours within `hint_clearance` of a hint are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..color import normalize_ab, rgb_to_lab
from ..errors import ColorizerError
from ..imageio import DEFAULT_MAX_PIXELS, ImageInput, LoadedImage, load_image
from ..join import luminance
from .features import STRIDE, features


@dataclass(frozen=True)
class MatchSettings:
    # Chosen on `val` by the crops protocol (experiments/reference_crops.py; docs/experiments.md, "Colours from a
    # reference photo"): on 30 photos the best PSNR among the settings where no unrelated reference colours anything
    # (min_similarity 0.5 / 0.55 / 0.6: +4.35 / +4.52 / +4.45 dB). There a cell of the part both photos show matches
    # at 0.62-0.86 (10th-90th percentile), a cell only the photo shows at 0.48-0.74, a cell of another photo at
    # 0.37-0.56. The gate, on 100 other val photos: the related share is at least 0.156 for 95% of true references
    # and at most 0.040 for all 200 unrelated ones; 0.08 lies between with room on both sides.
    min_similarity: float = 0.55  # a cell's best match below it takes no colour
    strong: float = 0.70          # a mutual match at least this similar is evidence that the reference shows the scene
    min_related: float = 0.08     # the share of such cells below which the reference is unrelated: nothing taken
    hint_clearance: float = 1 / 16  # a user's hint clears reference colours within this share of the photo's side
    to_network: bool = False      # the matched colours also enter the network's hint input; measured worse (-0.5 dB)
                                  # than the spread alone, which also serves checkpoints without a hint input


@dataclass
class Match:
    """What a reference gave one photo, at the working shape: planes (1,3,h,w) or None (unrelated), the share of
    the photo that took colours, the related share that decided, and the per-pixel similarity of the best match."""
    planes: torch.Tensor | None = field(repr=False)
    taken: float
    related: float
    similarity: torch.Tensor = field(repr=False)  # (h, w) in [-1, 1]

    @property
    def mask(self) -> np.ndarray:
        """bool (h, w): the pixels that took the reference's colours."""
        if self.planes is None:
            return np.zeros(tuple(self.similarity.shape), bool)
        return self.planes[0, 2].numpy() > 0


class Reference:
    """A colour photo whose colours a gray photo may take. Built once, used for any number of photos (a clip's
    frames): its features are kept per reading size."""

    def __init__(self, image: LoadedImage):
        if image.is_toned:
            raise ColorizerError("the reference photo has only one tone (a sepia or toned print): give a colour photo")
        if not image.is_color:
            raise ColorizerError("the reference photo is gray: it has no colours to give; give a colour photo")
        self.image = image
        self._at: dict[tuple[int, int], tuple[torch.Tensor, torch.Tensor]] = {}

    @classmethod
    def load(cls, src: "ImageInput | LoadedImage | Reference", max_pixels: int = DEFAULT_MAX_PIXELS) -> "Reference":
        """Any image input the library takes (path, bytes, PIL image, array), or a Reference (returned as is)."""
        if isinstance(src, Reference):
            return src
        try:
            return cls(src if isinstance(src, LoadedImage) else load_image(src, max_pixels))
        except ColorizerError as exc:
            msg = str(exc)
            raise ColorizerError(msg if msg.startswith("the reference") else f"reference photo: {msg}") from None

    def at(self, area: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(features (C,h',w'), normalized ab (1,2,h,w)) of the reference read at about area pixels."""
        h, w = self.image.shape
        k = min(1.0, (area / (h * w)) ** 0.5)
        shape = (max(STRIDE, round(h * k)), max(STRIDE, round(w * k)))
        if shape not in self._at:
            rgb = self.image.rgb
            small = np.asarray(Image.fromarray(rgb).resize(shape[::-1], Image.BOX if k < 1 else Image.BICUBIC))
            lab = rgb_to_lab(torch.from_numpy(np.array(small)).permute(2, 0, 1)[None].float() / 255.0)
            l_norm = torch.from_numpy(luminance(small, 1))[None, None]
            self._at[shape] = (features(l_norm), normalize_ab(lab[:, 1:]))
        return self._at[shape]


def _cells(n: int) -> int:
    return -(-n // STRIDE)


@torch.inference_mode()
def match(l_norm: torch.Tensor, ref: Reference, s: MatchSettings = MatchSettings(), held: bool = False) -> Match:
    """The reference's colours for a photo whose model input is l_norm (1,1,h,w): see the module's steps. held: the
    reference is known to show this scene (an earlier frame of the same shot passed the gate), so step 2 is skipped:
    a pan that moves off the reference's part of the scene keeps its colours rather than dropping them at once."""
    h, w = l_norm.shape[-2:]
    fi = features(l_norm)
    fr, ab_r = ref.at(h * w)
    gh, gw = fi.shape[-2:]
    rh, rw = fr.shape[-2:]
    sim = fi.reshape(fi.shape[0], -1).T @ fr.reshape(fr.shape[0], -1)  # (cells of the photo, cells of the reference)
    best, j = sim.max(dim=1)
    mutual = sim.argmax(dim=0)[j] == torch.arange(len(j))
    related = float(((best >= s.strong) & mutual).float().mean())
    sim_px = F.interpolate(best.view(1, 1, gh, gw), size=(h, w), mode="nearest")[0, 0]
    if related < s.min_related and not held:
        return Match(None, 0.0, related, sim_px)
    take = (best >= s.min_similarity).float().view(1, 1, gh, gw)
    # each pixel's place in the reference: its own place moved by its cell's offset to the matched cell
    iy, ix = torch.div(torch.arange(gh * gw), gw, rounding_mode="floor"), torch.arange(gh * gw) % gw
    dy = ((torch.div(j, rw, rounding_mode="floor") - iy) * STRIDE).float().view(1, 1, gh, gw)
    dx = ((j % rw - ix) * STRIDE).float().view(1, 1, gh, gw)
    up = lambda t: F.interpolate(t, size=(gh * STRIDE, gw * STRIDE), mode="nearest")[..., :h, :w]  # noqa: E731
    yy, xx = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij")
    hr, wr = ab_r.shape[-2:]
    gy = (yy + 0.5 + up(dy)[0, 0]) / hr * 2 - 1
    gx = (xx + 0.5 + up(dx)[0, 0]) / wr * 2 - 1
    ab = F.grid_sample(ab_r, torch.stack([gx, gy], dim=-1)[None], mode="bilinear", padding_mode="border",
                       align_corners=False)
    mask = up(take)
    return Match(torch.cat([ab * mask, mask], dim=1), float(mask.mean()), related, sim_px)


def with_user_hints(ref_planes: torch.Tensor | None, user: torch.Tensor | None, s: MatchSettings) -> torch.Tensor | None:
    """One set of hint planes: the user's hints over the reference's, the reference's cleared around each hint."""
    if ref_planes is None or user is None:
        return user if ref_planes is None else ref_planes
    h, w = user.shape[-2:]
    r = max(1, round(s.hint_clearance * max(h, w)))
    near = F.max_pool2d(user[:, 2:3], 2 * r + 1, stride=1, padding=r) > 0
    out = ref_planes * (~near).float()
    return torch.where(user[:, 2:3] > 0, user, out)
