"""Steady colors from frame to frame: per-frame predictions carried along the motion and blended, reset at cuts.

Colorizing each frame of a film alone makes hues jump wherever the model is unsure (a wall green in one frame,
red in the next). So each frame's ab (at the model's working size, before it is joined to the frame's own L)
is blended with the previous frame's *result*, moved along the optical flow onto the new frame:

    result_t = w * warp(result_{t-1}) + (1 - w) * ab_t,    w = carry * agreement

where `agreement` is 1 where the warped previous frame's lightness matches this frame's (after matching their
means and contrasts, so a change of exposure is not read as a new scene, and slightly blurred, so film grain
and dust that change every frame are not either) and falls towards 0 where it does not (occlusions, things
entering the picture). With carry 0.85 the result is an average over the last ~6 frames
seen through the motion: an undecided pixel settles on one color instead of flickering.

At a cut the previous shot's colors must not leak into the next: a cut is a frame whose lightness, after the
flow and the exposure matching, correlates with the previous frame's by less than `cut_correlation`; there the
state is dropped and the frame starts afresh. On clips made from 24 val-ood photos (benchmarks/video.py's
kinds), consecutive frames of a shot correlate at 0.995 or more (pans, zooms, sensor noise and exposure
changes) and at 0.88 or more when aged with grain, dust and scratches new in every frame; across a cut, at most
0.77 (two photos of the same layout: a sky above, a ground below), and near 0 in the median: 0.8 separates them. Flow: OpenCV's DIS (Kroeger et al. 2016), a well-kept, fast
dense optical flow (a few milliseconds at 224 px on one core), on the model's own working-size L.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TemporalSettings:
    carry: float = 0.85             # weight of the previous result where the motion explains the new frame
    sigma: float = 0.08             # lightness mismatch (0..1 units, after matching) at which agreement is 1/e
    smooth: float = 1.5             # px: grain, dust and scratches that change every frame are not a new scene
    cut_correlation: float = 0.8    # below this correlation of warped previous and current L: a new shot
    reference_carry: float = 0.995  # the same for a reference's matched colours (carry_planes): they stay on what
    #                                 they were matched to as it moves, new matches only refreshing them slowly
    reference_floor: float = 0.1    # a carried reference weight below this gives nothing (docs/experiments.md)


def _standardize(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / max(float(x.std()), 1e-3)


class TemporalSmoother:
    """One per video, fed frames in order: `observe(l_small)` (the motion from the last frame, and whether a
    new shot begins), then `blend(ab)` (the ab to show). `track` moves points along the same motion."""

    def __init__(self, settings: TemporalSettings = TemporalSettings()):
        import cv2  # opencv-python-headless: DIS optical flow
        self.s = settings
        self._cv2 = cv2
        self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
        self.frame = -1
        self.cuts: list[int] = []                 # frames where a new shot began (after the first)
        self._l: np.ndarray | None = None        # this frame's lightness (h, w), 0..1
        self._prev_l: np.ndarray | None = None
        self._prev_ab: np.ndarray | None = None  # the last result (h, w, 2), normalized ab
        self._prev_planes: np.ndarray | None = None  # the last reference planes carried (h, w, 3): a*m, b*m, m
        self._flow: np.ndarray | None = None     # for each pixel of this frame, where it was in the last
        self._agree: np.ndarray | None = None
        self._grids: dict = {}

    def _grid(self, h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (x, y) of an h x w frame, made once per size: every frame needs them twice."""
        if (h, w) not in self._grids:
            self._grids[h, w] = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        return self._grids[h, w]

    def _warp(self, x: np.ndarray, flow: np.ndarray) -> np.ndarray:
        gx, gy = self._grid(*flow.shape[:2])
        return self._cv2.remap(x, gx + flow[..., 0], gy + flow[..., 1], self._cv2.INTER_LINEAR,
                               borderMode=self._cv2.BORDER_REPLICATE)

    def observe(self, l_small: np.ndarray) -> bool:
        """Take the next frame's lightness (h, w) in 0..1 at the working size. True when it starts a shot
        (the first frame, a cut, a change of size): nothing of the frames before carries into it."""
        self.frame += 1
        self._prev_l, self._l = self._l, l_small.astype(np.float32)
        self._flow = self._agree = None
        if self._prev_l is None or self._prev_l.shape != self._l.shape or self._prev_ab is None:
            return True
        cur8 = (self._l * 255).round().astype(np.uint8)
        prev8 = (self._prev_l * 255).round().astype(np.uint8)
        flow = self._dis.calc(cur8, prev8, None)
        blur = lambda x: self._cv2.GaussianBlur(x, (0, 0), self.s.smooth)  # noqa: E731
        warped = _standardize(blur(self._warp(self._prev_l, flow)))
        cur = _standardize(blur(self._l))
        if float((warped * cur).mean()) < self.s.cut_correlation:
            self.cuts.append(self.frame)
            return True
        mismatch = np.abs(warped - cur) * max(float(self._l.std()), 1e-3)
        self._flow, self._agree = flow, np.exp(-mismatch / self.s.sigma)[..., None]
        return False

    def blend(self, ab: np.ndarray) -> np.ndarray:
        """This frame's own prediction (h, w, 2) -> what to show: blended with the last result moved along the
        motion, or the prediction itself at the start of a shot."""
        carry = self.s.carry
        if self._prev_planes is not None:  # where a reference's colour holds, the colour is carried as it is
            m = np.clip(self._prev_planes[..., 2:3], 0.0, 1.0)
            carry = carry + (self.s.reference_carry - carry) * m
        self._prev_ab = self._carried(ab.astype(np.float32), self._prev_ab, carry)
        return self._prev_ab

    def _carried(self, x: np.ndarray, prev: np.ndarray | None, carry) -> np.ndarray:
        if self._flow is None or prev is None or prev.shape != x.shape:
            return x
        w = carry * self._agree
        return w * self._warp(prev, self._flow) + (1 - w) * x

    def carry_planes(self, planes: np.ndarray | None) -> np.ndarray | None:
        """A reference's hint planes for this frame (h, w, 3: a, b, mask; colorizer.reference) -> the planes to use:
        blended with the last ones moved along the motion, as `blend` does the colours but holding longer
        (reference_carry). Matched afresh in every frame, a reference's colours stay fixed to the frame's 8 px cells
        while the picture moves under them, each pixel's source jumping a cell every few frames: carried, they move
        with what they were matched to. The mask becomes a weight; below reference_floor a pixel takes nothing."""
        if planes is None:
            self._prev_planes = None
            return None
        m = planes[..., 2:3].astype(np.float32)
        x = self._carried(np.concatenate([planes[..., :2] * m, m], -1), self._prev_planes, self.s.reference_carry)
        self._prev_planes = x
        m = x[..., 2:3]
        return np.concatenate([x[..., :2] / np.maximum(m, 1e-6), m], -1) * (m >= self.s.reference_floor)

    def track(self, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Points (x, y in working-size pixels) of the last frame -> where they are in this one, along the
        motion: how a hint placed on one frame follows what it was placed on. Unchanged at a new shot."""
        if self._flow is None:
            return points
        w = self._flow.shape[1]
        gx, gy = self._grid(*self._flow.shape[:2])
        src_x, src_y = gx + self._flow[..., 0], gy + self._flow[..., 1]  # where each pixel came from
        out = []
        for x, y in points:  # the pixel of this frame whose origin is nearest the point
            i = int(np.argmin((src_x - x) ** 2 + (src_y - y) ** 2))
            out.append((float(i % w), float(i // w)))
        return out
