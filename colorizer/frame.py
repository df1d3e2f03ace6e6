"""A scan's frame: the uniform border around a photographed print (white or cream paper, a black mount,
a scanner lid), or the black bars of a letterboxed frame.

Left in, it costs twice: the network paints the paper, and the photo inside is framed unlike anything seen
in training. On 60 val photos set in gray on a 32 px frame (`python experiments/frame_experiment.py
synthetic ../shared/data/val`), a gray card (200) came out at mean chroma 8.3 (1% of its pixels above 52),
white paper above 55 on 1% of its pixels, and a black mount cost the photo inside 1.3 dB and 1.2 CIEDE2000.
So the pipeline colorizes the photo inside the frame, as if it had been cropped, and keeps the frame's own
lightness with no color (`colorizer.inference.Colorizer.colorize_arrays`): frame chroma 0.2 at most on
average, the photo within 0.1 dB of itself unframed. The user does nothing; a hint placed on the frame
asks for color there, and then the whole image is colorized.

What counts as a frame, per side: lines (rows or columns) from the edge inward, each with at least
`SHARE` of its pixels within `TOLERANCE` gray levels of the edge's tone, at least 1% of that side's
length (2 px) and less than `MAX_SIDE` of it, and then a step: the next two lines mostly off that tone.
A frame is accepted when three or four sides have one and agree on the tone (paper and mounts frame a
print on all sides; a crop may have cut one), or when two opposite sides are near black (letterbox,
pillarbox). A uniform sky or a plain backdrop around a subject fails the step (the subject's silhouette
takes over line by line). `python scripts/frame_stats.py DIR` lists the photos of a folder taken for
framed: 5 of val-ood's 1,000 (thin white borders and letterbox bars that are there) and 16 of val's 860
(the same, and Caltech-101's photos on white card).
"""
from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from .imageio import LoadedImage
from .join import join

TOLERANCE = 14      # gray levels: scanner noise and paper texture stay inside, a photo's detail does not
SHARE = 0.97        # of a line's pixels near the edge's tone (specks of dust, a corner of the photo)
MAX_SIDE = 0.3      # no side's frame is wider than this share of the photo's side
MIN_SIDE = 0.01     # nor narrower than this share (and 2 px)
STEP = 0.6          # the two lines after a frame: at most this share of pixels still on the frame's tone
DARK = 40           # letterbox bars: two opposite sides at most this bright
SAMPLES = 512       # lines are tested on about this many evenly spaced pixels (every line is tested)


@dataclass(frozen=True)
class Frame:
    """Widths of the frame on each side, in pixels of the image it was found in."""
    top: int
    bottom: int
    left: int
    right: int

    def inner(self, shape: tuple[int, int]) -> tuple[slice, slice]:
        """Rows and columns of the photo inside the frame, for an image of shape (H, W)."""
        h, w = shape[:2]
        return slice(self.top, h - self.bottom), slice(self.left, w - self.right)

    def scaled(self, src: tuple[int, int], dst: tuple[int, int]) -> "Frame":
        """The same frame on the same photo at another size (a preview's frame on the full photo)."""
        ky, kx = dst[0] / src[0], dst[1] / src[1]
        return Frame(round(self.top * ky), round(self.bottom * ky), round(self.left * kx), round(self.right * kx))

    def contains(self, x: float, y: float, shape: tuple[int, int]) -> bool:
        """Whether pixel (x, y) of an image of shape (H, W) lies inside the frame, on the photo."""
        rows, cols = self.inner(shape)
        return rows.start <= y < rows.stop and cols.start <= x < cols.stop


def _gray(pixels: np.ndarray) -> np.ndarray:
    """uint8 (H,W) or (H,W,3) -> (H,W) int16 brightness: green alone for RGB, enough to find paper and
    three times cheaper than a mix of channels."""
    return (pixels if pixels.ndim == 2 else pixels[..., 1]).astype(np.int16)


def _side(lines: np.ndarray, limit: int) -> tuple[int, float]:
    """lines (n, m): the first line is at the edge. -> (how many lines from the edge are frame, their tone);
    0 unless the photo starts with a step: the two lines after the frame mostly off its tone (a sky or a
    backdrop around a subject fades out line by line instead, as its silhouette takes over)."""
    tone = float(np.median(lines[:2]))
    share = (np.abs(lines[:limit + 2] - tone) <= TOLERANCE).mean(1)
    off = np.flatnonzero(share[:limit] < SHARE)
    if not off.size or share[off[0]:off[0] + 2].mean() > STEP:
        return 0, tone
    return int(off[0]), tone


def find_frame(pixels: np.ndarray) -> Frame | None:
    """The frame around a photo (uint8 gray or RGB, any size), or None when it has none."""
    h, w = pixels.shape[:2]
    if min(h, w) < 32:
        return None
    sy, sx = max(1, h // SAMPLES), max(1, w // SAMPLES)  # every line is tested, on a sample of its pixels
    top_rows = _gray(pixels[: int(h * MAX_SIDE) + 2, ::sx])
    bottom_rows = _gray(pixels[h - int(h * MAX_SIDE) - 2:, ::sx][::-1])
    left_cols = _gray(pixels[::sy, : int(w * MAX_SIDE) + 2]).T
    right_cols = _gray(pixels[::sy, w - int(w * MAX_SIDE) - 2:][:, ::-1]).T
    sides = {}
    for name, lines, n in (("top", top_rows, h), ("bottom", bottom_rows, h), ("left", left_cols, w),
                           ("right", right_cols, w)):
        width, tone = _side(lines, int(n * MAX_SIDE))
        if width >= max(2, round(n * MIN_SIDE)):
            sides[name] = (width, tone)
    tones = [t for _, t in sides.values()]
    same_tone = bool(tones) and max(tones) - min(tones) <= TOLERANCE
    bars = [pair for pair in (("top", "bottom"), ("left", "right"))
            if all(s in sides and sides[s][1] <= DARK for s in pair)]
    if not ((len(sides) >= 3 and same_tone) or bars):
        return None
    keep = sides if len(sides) >= 3 and same_tone else {s: sides[s] for s in bars[0]}
    return Frame(*(keep[s][0] if s in keep else 0 for s in ("top", "bottom", "left", "right")))


def _crop_later(pixels: Future, rows: slice, cols: slice) -> Future:
    """A crop of pixels still decoding in the background, itself still to come."""
    out: Future = Future()

    def done(f: Future) -> None:
        if f.exception() is not None:
            out.set_exception(f.exception())
        else:
            out.set_result(f.result()[rows, cols])
    pixels.add_done_callback(done)
    return out


def framed(im: LoadedImage) -> tuple[LoadedImage, Frame] | None:
    """The photo inside im's frame as an image of its own (pixels, and preview when there is one), with the
    frame in im's full-resolution pixels; None when im has no frame. Found once per photo (kept in im.memo),
    on the preview when there is one: the full decode may still be running."""
    if "frame" not in im.memo:
        im.memo["frame"] = None
        small = im.preview if im.preview is not None else im.pixels
        found = find_frame(small)
        if found is not None:
            full = found.scaled(small.shape[:2], im.shape) if im.preview is not None else found
            rows, cols = full.inner(im.shape)
            raw = im._pixels  # noqa: SLF001 - the pixels or their pending decode, cropped without waiting
            pixels = _crop_later(raw, rows, cols) if isinstance(raw, Future) else raw[rows, cols]
            preview = None if im.preview is None else im.preview[found.inner(small.shape)]
            inner = LoadedImage(pixels, name=im.name, preview=preview, shape=(rows.stop - rows.start, cols.stop - cols.start))
            im.memo["frame"] = (inner, full)
    return im.memo["frame"]


def paste(pixels: np.ndarray, frame: Frame, inner_rgb: np.ndarray) -> np.ndarray:
    """The whole photo (uint8 gray or RGB) as uint8 RGB: inner_rgb inside the frame, the frame itself with
    its own lightness and no color."""
    h, w = pixels.shape[:2]
    rows, cols = frame.inner((h, w))
    out = np.empty((h, w, 3), np.uint8)
    out[rows, cols] = inner_rgb
    no_color = np.zeros((2, 1, 1), np.float32)
    for r, c in ((slice(0, rows.start), slice(None)), (slice(rows.stop, h), slice(None)),
                 (rows, slice(0, cols.start)), (rows, slice(cols.stop, w))):
        if pixels[r, c].size:
            out[r, c] = join(pixels[r, c], no_color)
    return out
