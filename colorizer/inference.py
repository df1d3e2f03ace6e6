"""The one inference pipeline, shared by the CLI, the app, the evaluation and the benchmarks.

    from colorizer import Colorizer
    c = Colorizer.load()                 # the default shipped checkpoint
    out = c.colorize("photo.jpg")        # PIL.Image, RGB (RGBA if the input had alpha), full resolution

How full resolution works (after richzhang/colorization): the model sees only a small copy of the L
channel (about working_size^2 pixels, aspect kept); its ab prediction is upsampled bilinearly to the
input's size and joined to the input's own full-resolution L. Detail therefore comes from the input,
and the model's cost does not grow with the photo. The per-pixel work (the photo's L, the join) is
compiled in colorizer.join; it holds no full-size float arrays but the one L plane the model's input
is shrunk from (4 bytes a pixel).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from . import bins
from .checkpoints import SHIPPED_DIR, load_checkpoint, read_metadata
from .color import lab_to_rgb, rgb_to_lab
from .decoding import DecodeSettings, run_model, working_shape
from .errors import ColorizerError
from .frame import Frame, framed, paste
from .hints import Hint, HintInput, parse_hints, rasterize
from .propagate import PropagationSettings, propagate
from .imageio import DEFAULT_MAX_PIXELS, ImageInput, LoadedImage, load_image
from .join import join, luminance, warm_up
from .models import list_models
from .reference import Match, MatchSettings, Reference, match, with_user_hints
from .repair import REPAIR_CHECKPOINT, DefectEdit, Repairer, as_edit, default_repairer
from .restore import Restorer
from .routing import OldPrintDetector, old_print_probability, partner_paths

WEIGHTS_DIR = SHIPPED_DIR
DEFAULT_CHECKPOINT = "effnet-unet"
TONE_CHECKPOINT = "tone"  # the shipped tone-restoration model (colorizer.restore), weights/tone.safetensors
# "auto": ONNX Runtime on CPU where the architecture exports (it is the faster backend there, see
# benchmarks/inference_latency.py), PyTorch otherwise; "torch" or "onnx" force one.
BACKENDS = ("auto", "torch", "onnx")
log = logging.getLogger("colorizer")


def model_input(pixels: np.ndarray, size: int, full_shape: tuple[int, int] | None = None) -> torch.Tensor:
    """uint8 photo, gray (H,W) or RGB (H,W,3) -> the model's input: normalized L (1,1,h,w) at working size,
    shrunk with antialiasing (so fine texture averages rather than aliases). A large photo is first
    averaged over k x k blocks while its L is computed (to at least twice the working size), so no
    full-size float plane is made; the antialiased resize does the rest. full_shape: the photo's size
    when `pixels` is a reduced version of it (LoadedImage.preview), so the working shape is the same."""
    h, w = pixels.shape[:2]
    shape = working_shape(*(full_shape or (h, w)), size)
    k = max(1, min(h // shape[0], w // shape[1]) // 2)
    return F.interpolate(torch.from_numpy(luminance(pixels, k))[None, None], size=shape, mode="bilinear",
                         antialias=True, align_corners=False)


def _model_input(im: LoadedImage, size: int) -> torch.Tensor:
    """From the preview when there is one (the full decode meanwhile runs on), else the pixels. Kept with
    the photo: placing a hint re-runs the same photo at the same size."""
    key = ("model_input", size)
    if key not in im.memo:
        im.memo[key] = model_input(im.preview, size, im.shape) if im.preview is not None else model_input(im.pixels, size)
    return im.memo[key]


@dataclass
class _PhotoView:
    """What the model colorizes of a photo: the photo itself, or the photo inside a scan's frame
    (colorizer.frame), with the hints in its pixels."""
    image: LoadedImage
    hints: list[Hint] | None
    frame: Frame | None = None  # in the full photo's pixels
    shape: tuple[int, int] = (0, 0)  # the whole photo's (H, W)

    def join(self, im: LoadedImage, ab: torch.Tensor) -> np.ndarray:
        """The colorized photo at full resolution (uint8 RGB): ab joined to the view's L (the photo's own,
        or its restored tone), the frame uncolored."""
        if self.frame is None:
            return join(self.image.pixels, ab)
        return paste(im.pixels, self.frame, join(self.image.pixels, ab))

    def repaired(self, repairer: Repairer | None, edit: DefectEdit | None = None) -> "_PhotoView":
        """The same view with its photo's scratches and dust filled (colorizer.repair; the map as `edit` corrects
        it, in the whole photo's pixels), or itself when repairer is None."""
        if repairer is None:
            return self
        return replace(self, image=repairer.repair_loaded(self.image, self.edit_of(edit)))

    def edit_of(self, edit: DefectEdit | None) -> DefectEdit | None:
        """A whole photo's map edit on this view (its part inside a scan's frame)."""
        return edit if edit is None or self.frame is None else edit.crop(*self.frame.inner(self.shape), self.shape)

    def defects(self, repairer: Repairer, edit: DefectEdit | None) -> np.ndarray:
        """The map the view is repaired with, in the whole photo's pixels (none on a frame)."""
        mask = repairer.mask_for(self.image, self.edit_of(edit))
        if self.frame is None:
            return mask
        out = np.zeros(self.shape, bool)
        out[self.frame.inner(self.shape)] = mask
        return out

    def restored(self, restorer: Restorer | None) -> "_PhotoView":
        """The same view with its photo's tone restored (colorizer.restore), or itself when restorer is None."""
        return self if restorer is None else replace(self, image=restorer.restore_image(self.image))


def _photo_view(im: LoadedImage, hints: HintInput, find_frame: bool = True) -> _PhotoView:
    """The photo inside its frame when it has one (and find_frame), unless a hint falls on the frame (the
    user asked for color there: then the whole image is colorized)."""
    h, w = im.shape
    parsed = parse_hints(hints, w, h) if hints is not None else None
    found = framed(im) if find_frame else None
    if found is None:
        return _PhotoView(im, parsed, shape=im.shape)
    inner, frame = found
    if parsed and not all(frame.contains(p.x, p.y, im.shape) for p in parsed):
        return _PhotoView(im, parsed, shape=im.shape)
    moved = None if parsed is None else [replace(p, x=p.x - frame.left, y=p.y - frame.top) for p in parsed]
    return _PhotoView(inner, moved, frame, im.shape)


def _stack(planes: list, chunk: list[int], shape: tuple[int, int]) -> torch.Tensor | None:
    """The planes of a batch's photos, zeros for a photo without them; None when none has any."""
    if all(planes[i] is None for i in chunk):
        return None
    return torch.cat([planes[i] if planes[i] is not None else torch.zeros(1, 3, *shape) for i in chunk])


def _with_alpha(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    return rgb if alpha is None else np.dstack([rgb, alpha])


def _to_pil(pixels: np.ndarray) -> Image.Image:
    return Image.fromarray(pixels, "RGBA" if pixels.ndim == 3 and pixels.shape[2] == 4 else None)


@dataclass
class ColorizeResult:
    """What a demo shows: the input reduced to gray, the prediction, and the original when it had color."""

    gray: Image.Image
    color: Image.Image
    original: Image.Image | None
    seconds: float
    model: str = ""                  # the checkpoint that colorized it (the clean-photo partner, when routed there)
    old_print: float | None = None   # how much the photo looked like an old print (colorizer.routing), when routed
    restored: bool = False           # its tone was restored before colorizing (colorizer.restore)
    toned: bool = False              # the upload was a toned black-and-white print (sepia, cyanotype...): no original
    strength: float = 1.0            # the colour strength used (1: as decoded for this kind of photo)
    decoded_as: str = ""             # "old photo" or "photo": which of the checkpoint's decodings (Colorizer.kind_of)
    repaired: float | None = None    # the share of pixels filled as scratches and dust (colorizer.repair); None: not asked
    defects: np.ndarray | None = None  # the map it was repaired with (bool (H, W), the photo's size); None: not repaired
    repair_release: str = ""         # which repair network ran ("repair v7", its checkpoint's "release"), when one did
    why: str = ""                    # and why, in words
    reference_match: Match | None = None  # what a reference photo gave (colorizer.reference); None: none given

    @property
    def reference_taken(self) -> float | None:
        """The share of the photo that took the reference's colours (0: it matched nothing); None: no reference."""
        return None if self.reference_match is None else self.reference_match.taken

    @property
    def reference_related(self) -> float | None:
        """The share of the photo's cells the reference shows for certain (colorizer.reference.MatchSettings)."""
        return None if self.reference_match is None else self.reference_match.related


class Colorizer:
    """A loaded checkpoint, ready to colorize. Load once, reuse for every request (thread-safe)."""

    def __init__(self, model: torch.nn.Module, metadata: dict, device: torch.device, name: str, path: Path | None = None):
        warm_up()  # compile the pixel kernels once per process, at load time rather than on a request
        self.model, self._metadata, self.device, self.name, self.path = model, metadata, device, name, path
        self.working_size = int(metadata.get("working_size", 256))
        self.decoding = DecodeSettings.from_metadata(metadata)  # temperature, prior correction, gating, guide
        self.rebalance_lambda = float(metadata.get("training", {}).get("config", {}).get("rebalance_lambda", 0.5))
        self.propagation = PropagationSettings(**metadata.get("propagation", {}))  # how hints spread (colorizer.propagate)
        self.reference_settings = MatchSettings(**metadata.get("reference", {}))  # a reference's colours (colorizer.reference)
        self._lock = threading.Lock()
        self.find_frames = True  # a scan's photo colorized inside its frame, the frame left uncolored (colorizer.frame)
        self.restore_default = False  # restore a faded print's tone before colorizing (colorizer.restore)
        self._tone: Restorer | None = None  # that model, loaded on first use
        self._tone_lock = threading.Lock()
        # photos that do not look like old prints go to a clean-photo network (colorizer.routing), when the
        # checkpoint's release names one in its metadata ("clean_partner")
        self.partner: Colorizer | None = None
        self.detector: OldPrintDetector | None = None
        # photos judged old (a toned print, or the judgement above its threshold) are decoded with settings
        # chosen on real old photographs, when the checkpoint's release names them ("old_photo")
        self.old_decoding: DecodeSettings | None = None
        self.repair_old = False  # whether the release repairs the photos it judges old by default (colorizer.repair)

    # ------------------------------------------------------------ loading
    @staticmethod
    def resolve(name_or_path: str | os.PathLike | None = None) -> Path:
        if name_or_path is None:
            name_or_path = DEFAULT_CHECKPOINT
        p = Path(name_or_path)
        if p.suffix in (".safetensors", ".onnx") or p.exists():
            return p
        candidate = WEIGHTS_DIR / f"{name_or_path}.safetensors"
        if candidate.exists():
            return candidate
        names = ", ".join(e["name"] for e in Colorizer.available()) or "none"
        raise ColorizerError(f"no checkpoint named {str(name_or_path)!r} (shipped checkpoints: {names})")

    @classmethod
    def load(cls, name_or_path: str | os.PathLike | None = None, device: str | torch.device | None = None,
             backend: str | None = None, restore: bool | None = None, route: bool = True) -> "Colorizer":
        """Load a checkpoint by name (a file in weights/) or path; None means the default.

        backend: "auto" (default, or $COLORIZER_BACKEND), "torch" or "onnx"; see BACKENDS.
        restore: whether photos have their tone restored before colorizing by default (colorizer.restore);
        None: as the checkpoint's release chose (its metadata's "restore_tone").
        route: when the checkpoint names a clean-photo partner, send photos that do not look like old prints
        to it (colorizer.routing); False: this checkpoint colorizes every photo."""
        c = cls._load(name_or_path, device, backend)
        c.restore_default = bool(c.metadata.get("restore_tone")) if restore is None else bool(restore)
        if c.restore_default:
            c._tone_model()  # loaded now, not on a request
        old = c.metadata.get("old_photo")
        if route and old:
            try:  # {"decode": {...}, "detector": the judgement's name, "threshold": p}, the judgement beside it
                c.old_decoding = DecodeSettings.from_metadata(old)
                judge, threshold = old["detector"], float(old.get("threshold", 0.5))
                c.repair_old = bool(old.get("repair", False))
            except (KeyError, TypeError, ValueError) as exc:
                raise ColorizerError(f"{c.path}: unreadable old_photo settings ({exc})") from None
            path = (c.path or WEIGHTS_DIR / f"{c.name}.safetensors").parent / f"{judge}.safetensors"
            if not path.is_file():
                raise ColorizerError(f"{c.name} judges old photos with {judge!r}, but {path} is missing")
            c.detector = OldPrintDetector.load(path, threshold)
        partner = c.metadata.get("clean_partner")
        if route and partner:
            try:  # {"checkpoint": partner's name, "detector": the judgement's name, "threshold": p}, beside it
                name, judge, threshold = partner["checkpoint"], partner["detector"], float(partner.get("threshold", 0.5))
            except (KeyError, TypeError, ValueError) as exc:
                raise ColorizerError(f"{c.path}: unreadable clean_partner settings ({exc})") from None
            paths = dict(zip((name, judge), partner_paths(c.path or WEIGHTS_DIR / f"{c.name}.safetensors", partner)))
            for n, path in paths.items():
                if not path.is_file():
                    raise ColorizerError(f"{c.name} routes photos with {n!r}, but {path} is missing")
            c.detector = OldPrintDetector.load(paths[judge], threshold)
            c.partner = cls.load(paths[name], device, backend, restore=None, route=False)
        return c

    def old_print_score(self, im: LoadedImage) -> float | None:
        """How much the photo looks like an old print (colorizer.routing), None when this checkpoint does not
        judge; kept with the photo, so a re-run with new hints is judged alike."""
        if self.detector is None:
            return None
        if "old_print" not in im.memo:
            im.memo["old_print"] = old_print_probability(self.detector, im)
        return im.memo["old_print"]

    def route_for(self, im: LoadedImage) -> tuple["Colorizer", float | None]:
        """The colorizer this photo goes to and how much it looks like an old print (None: not routed)."""
        if self.partner is None or self.detector is None:
            return self, None
        p = self.old_print_score(im)
        return (self if p >= self.detector.threshold else self.partner), p

    def kind_of(self, im: LoadedImage) -> tuple[DecodeSettings, str, str]:
        """The decoding this photo gets, its name ("old photo" or "photo") and why, in words."""
        if self.old_decoding is None:
            return self.decoding, "photo", ""
        if im.is_toned:
            return self.old_decoding, "old photo", "a toned print"
        p = self.old_print_score(im)
        if p >= self.detector.threshold:
            return self.old_decoding, "old photo", f"old-print score {p:.2f} >= {self.detector.threshold:g}"
        return self.decoding, "photo", f"old-print score {p:.2f} < {self.detector.threshold:g}"

    def _tone_model(self) -> Restorer:
        """The tone-restoration model the checkpoint's release names (else the shipped one), loaded once."""
        with self._tone_lock:
            if self._tone is None:
                path = tone_path(self.metadata.get("restore_tone") or TONE_CHECKPOINT)
                if not path.is_file():
                    raise ColorizerError(f"tone restoration needs {path}, which is missing")
                self._tone = Restorer.load(path)
            return self._tone

    def _repairer(self, im: LoadedImage, repair: bool | None, edit: DefectEdit | None = None) -> Repairer | None:
        """repair=None: as the release chose (its "old_photo" entry's "repair": photos judged old, kind_of, are
        repaired); True: repaired (the network must be there); False: not. An edited map is always used."""
        if edit is not None:
            if repair is False:
                raise ColorizerError("a repair mask was given with repair=False: leave repair on, or give no mask")
            repair = True
        if repair is False or (repair is None and not (self.repair_old and self.kind_of(im)[1] == "old photo"
                                                       and REPAIR_CHECKPOINT.is_file())):
            return None
        return default_repairer()

    def _restorer(self, restore: bool | None) -> Restorer | None:
        """restore=None: this colorizer's default; True: restore (the model loaded on first use); False: not."""
        return self._tone_model() if (self.restore_default if restore is None else restore) else None

    @classmethod
    def _load(cls, name_or_path, device, backend) -> "Colorizer":
        backend = backend or os.environ.get("COLORIZER_BACKEND", "auto")
        if backend not in BACKENDS:
            raise ColorizerError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        path = cls.resolve(name_or_path)
        dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if path.suffix == ".onnx":  # an exported file: ONNX Runtime, same pipeline around it
            from .onnx_backend import OnnxModel
            if not path.is_file():
                raise ColorizerError(f"{path}: no such ONNX file")
            onnx_model = OnnxModel(path)
            return cls(onnx_model, onnx_model.metadata, torch.device("cpu"), path.stem, path)
        model, meta = load_checkpoint(path, dev)
        wants_onnx = backend == "onnx" or (backend == "auto" and dev.type == "cpu" and model.exports_to_onnx)
        if wants_onnx:
            try:
                from .onnx_backend import cached_export
                return cls(cached_export(path), meta, torch.device("cpu"), path.stem, path)
            except (ColorizerError, ImportError) as exc:
                if backend == "onnx":
                    raise ColorizerError(f"{path}: cannot run on ONNX Runtime ({exc})") from None
                log.warning("%s: using PyTorch, ONNX Runtime is unavailable (%s)", path.name, exc)
        return cls(model, meta, dev, path.stem, path)

    @staticmethod
    def available(weights_dir: str | os.PathLike | None = None) -> list[dict]:
        """Shipped checkpoints: [{'name', 'path', 'metadata'}], the default first. Unreadable files are skipped,
        and so are models of other kinds kept beside them (the tone-restoration model, the old-print judgement)
        and a checkpoint another one names as its clean-photo partner: it is part of that release (it colours
        the clean photos the default is given), not a choice of its own. It still loads by name."""
        root = Path(weights_dir) if weights_dir else WEIGHTS_DIR
        entries = []
        for p in sorted(root.glob("*.safetensors")):
            try:
                meta = read_metadata(p)
            except ColorizerError:
                continue
            if meta["arch"] in list_models():
                entries.append({"name": p.stem, "path": str(p), "metadata": meta})
        partners = {(e["metadata"].get("clean_partner") or {}).get("checkpoint") for e in entries}
        entries = [e for e in entries if e["name"] not in partners]
        entries.sort(key=lambda e: e["name"] != DEFAULT_CHECKPOINT)
        return entries

    @property
    def metadata(self) -> dict:
        return self._metadata

    @property
    def arch(self) -> str:
        return self._metadata["arch"]

    @property
    def backend(self) -> str:
        return "onnxruntime" if type(self.model).__name__ == "OnnxModel" else "pytorch"

    @property
    def temperature(self) -> float:
        return self.decoding.temperature

    @property
    def uses_temperature(self) -> bool:
        return getattr(self.model, "output_kind", "regression") == "classification"

    @property
    def accepts_hints(self) -> bool:
        """Whether this checkpoint takes user color hints (the flagship does; the seeds' do not)."""
        return bool(getattr(self.model, "accepts_hints", False))

    # ------------------------------------------------------------ prediction
    @torch.inference_mode()
    def predict_ab(self, l_small: torch.Tensor, temperature: float | None = None,
                   hints: torch.Tensor | None = None, strength: float | None = None,
                   decoding: DecodeSettings | None = None, spread: torch.Tensor | None = None) -> torch.Tensor:
        """Normalized L (B,1,h,w) at working size -> normalized ab (B,2,h,w); hints: (B,3,h,w) planes, read by the
        network and spread (colorizer.propagate); spread: planes only spread (in place of hints there), as a
        reference's colours are for a checkpoint without a hint input. strength scales the guessed colours' chroma
        (check_strength), never a hint's. decoding: the settings (kind_of); None: the checkpoint's own."""
        s = decoding or self.decoding
        s = s if temperature is None else replace(s, temperature=float(temperature))
        if hints is not None:
            hints = hints.to(self.device)
        with self._lock:  # BatchNorm/eval modules are stateless, but torch threads are shared: serialize
            ab = self.model.predict_ab(l_small.to(self.device), s, self.rebalance_lambda, hints=hints)
        if strength is not None:  # before the hints are laid on, so a hint keeps its own colour
            ab = ab * check_strength(strength)
        laid = hints if spread is None else spread
        return ab if laid is None else propagate(ab.cpu(), l_small.cpu(), laid.cpu(), self.propagation).to(ab.device)

    def hint_planes(self, hints: HintInput, full_shape: tuple[int, int], work_shape: tuple[int, int]) -> torch.Tensor | None:
        """Validated hints (colorizer.hints.parse_hints) for a photo of full_shape (H, W) -> the model's hint
        planes at the working shape, or None when there are none. A checkpoint without a hint input says so
        rather than ignoring them."""
        h, w = full_shape
        parsed = parse_hints(hints, w, h)
        if not parsed:
            return None
        if not self.accepts_hints:
            raise ColorizerError(f"checkpoint {self.name!r} ({self.arch}) does not take color hints; "
                                 f"the flagship {DEFAULT_CHECKPOINT!r} does")
        return rasterize(parsed, (w, h), work_shape)

    def _check_size(self, size: int | None) -> int:
        size = int(size or self.working_size)
        if not 16 <= size <= 2048:
            raise ColorizerError(f"working size must be between 16 and 2048, not {size}")
        return size

    def colorize(self, image: ImageInput | LoadedImage, size: int | None = None, temperature: float | None = None,
                 max_pixels: int = DEFAULT_MAX_PIXELS, hints: HintInput = None, restore: bool | None = None,
                 strength: float | None = None, repair: bool | None = None,
                 repair_mask: DefectEdit | np.ndarray | None = None, reference=None) -> Image.Image:
        """Colorize one image (path, bytes, PIL image or numpy array, any mode) at full resolution.

        hints: user colors, a list of (x, y, (r, g, b)) in the image's full-resolution pixels, sRGB 0-255
        (or its JSON text; see colorizer.hints). Only a hint's chroma is used: the photo keeps its own
        lightness, so a hint says "this region is blue", not "this pixel is exactly this blue".
        restore: restore a faded print's tone first (colorizer.restore); None: this colorizer's default.
        strength: colour strength from calm (0, gray) through 1 (as decoded for this kind of photo; None is
        "auto", the same) to vivid (at most 2): the guessed chroma is scaled, a hint's colour is kept.
        repair: fill scratches, cracks and dust first (colorizer.repair); None: as the checkpoint's release
        chose (photos judged old, when it repairs them).
        repair_mask: the defect map as a person corrected it: a bool array (H, W) that replaces the map found, or
        a colorizer.repair.DefectEdit (add what it missed, remove what it took); the photo is then repaired.
        reference: a colour photo of the same place, person or film (any image input, or a colorizer.reference.
        Reference to reuse for many photos): the parts of the photo it shows take its colours, the rest is coloured
        as without it; a reference that matches nothing changes nothing. A user's hints win where they are."""
        return self.colorize_batch([image], size=size, temperature=temperature, max_pixels=max_pixels,
                                   hints=None if hints is None else [hints], restore=restore, strength=strength,
                                   repair=repair, repair_masks=None if repair_mask is None else [repair_mask],
                                   reference=reference)[0]

    def colorize_batch(self, images: Sequence[ImageInput | LoadedImage], size: int | None = None,
                       temperature: float | None = None, max_pixels: int = DEFAULT_MAX_PIXELS,
                       batch_size: int = 8, hints: Sequence[HintInput] | None = None,
                       restore: bool | None = None, strength: float | None = None,
                       repair: bool | None = None, repair_masks: Sequence | None = None,
                       reference=None) -> list[Image.Image]:
        """Colorize many images into PIL images (RGB, or RGBA when the input had alpha)."""
        return [_to_pil(a) for a in self.colorize_arrays(images, size, temperature, max_pixels, batch_size, hints, restore,
                                                         strength, repair, repair_masks, reference)]

    def colorize_arrays(self, images: Sequence[ImageInput | LoadedImage], size: int | None = None,
                        temperature: float | None = None, max_pixels: int = DEFAULT_MAX_PIXELS,
                        batch_size: int = 8, hints: Sequence[HintInput] | None = None,
                        restore: bool | None = None, strength: float | None = None,
                        repair: bool | None = None, repair_masks: Sequence | None = None,
                        reference=None) -> list[np.ndarray]:
        """Colorize many images into uint8 (H,W,3) or (H,W,4) arrays; those that share a working shape
        run through the model together. Arrays skip a full-size copy into PIL: what the CLI encodes.
        hints: one hint list per image (None or [] for none); repair_masks likewise, one repair_mask (colorize) or
        None per image; reference: one colour photo for all of them (colorize). A bad input or hint raises ColorizerError
        (use `iter_colorize` to keep going past bad files)."""
        asked, size = size, self._check_size(size)
        check_strength(strength)  # a bad value is refused before any work
        if hints is not None and len(hints) != len(images):
            raise ColorizerError(f"{len(hints)} hint lists for {len(images)} images")
        if repair_masks is not None and len(repair_masks) != len(images):
            raise ColorizerError(f"{len(repair_masks)} repair masks for {len(images)} images")
        edits = [as_edit(m) for m in repair_masks] if repair_masks is not None else [None] * len(images)
        ref = None if reference is None else Reference.load(reference, max_pixels)  # a gray one refused before any work
        loaded = [im if isinstance(im, LoadedImage) else load_image(im, max_pixels, preview_side=size)
                  for im in images]
        if self.partner is None:
            return self._colorize_loaded(loaded, size, temperature, batch_size, hints, restore, strength, repair, edits, ref)
        out: list[np.ndarray | None] = [None] * len(loaded)
        routes = [self.route_for(im)[0] for im in loaded]
        for c in {id(c): c for c in routes}.values():
            idx = [i for i, r in enumerate(routes) if r is c]
            done = c._colorize_loaded([loaded[i] for i in idx], c._check_size(asked), temperature, batch_size,
                                      None if hints is None else [hints[i] for i in idx], restore, strength, repair,
                                      [edits[i] for i in idx], ref)
            for i, a in zip(idx, done):
                out[i] = a
        return out

    def _colorize_loaded(self, loaded: list[LoadedImage], size: int, temperature: float | None, batch_size: int,
                         hints: Sequence[HintInput] | None, restore: bool | None,
                         strength: float | None = None, repair: bool | None = None,
                         edits: Sequence[DefectEdit | None] | None = None,
                         ref: Reference | None = None) -> list[np.ndarray]:
        """colorize_arrays by this checkpoint alone, the photos loaded."""
        restorer = self._restorer(restore)
        views = []
        for im, h, edit in zip(loaded, hints or [None] * len(loaded), edits or [None] * len(loaded)):
            view, repairer = _photo_view(im, None if hints is None else h, self.find_frames), self._repairer(im, repair, edit)
            # the map and the share of pixels filled, kept with the photo for run()'s result (None: not repaired)
            im.memo["defects_used"] = None if repairer is None else view.defects(repairer, edit)
            im.memo["repaired_share"] = None if repairer is None else float(im.memo["defects_used"].mean())
            im.memo["repair_release"] = "" if repairer is None else str(repairer.metadata.get("release", ""))
            views.append(view.repaired(repairer, edit).restored(restorer))
        prepared = [_model_input(v.image, size) for v in views]
        planes = [self.hint_planes(v.hints, v.image.shape, tuple(ls.shape[-2:])) for v, ls in zip(views, prepared)] \
            if hints is not None else [None] * len(loaded)
        spreads: list[torch.Tensor | None] = [None] * len(loaded)
        for im in loaded:
            im.memo["reference_match"] = None
        if ref is not None:
            planes, spreads = self._with_reference(loaded, prepared, planes, ref)
        decodings = [self.kind_of(im)[0] for im in loaded]
        abs_: list[torch.Tensor | None] = [None] * len(loaded)
        groups: dict[tuple, list[int]] = {}
        for i, ls in enumerate(prepared):  # one batch per working shape and decoding
            groups.setdefault((tuple(ls.shape[-2:]), decodings[i]), []).append(i)
        for (shape, decoding), idx in groups.items():
            for k in range(0, len(idx), batch_size):
                chunk = idx[k:k + batch_size]
                ab = self.predict_ab(torch.cat([prepared[i] for i in chunk]), temperature, _stack(planes, chunk, shape),
                                     strength, decoding, _stack(spreads, chunk, shape))
                for j, i in enumerate(chunk):
                    abs_[i] = ab[j:j + 1]
        return [_with_alpha(v.join(im, ab), im.alpha) for im, v, ab in zip(loaded, views, abs_)]

    def _with_reference(self, loaded: list[LoadedImage], prepared: list[torch.Tensor], planes: list, ref: Reference):
        """reference_planes for each photo: (the planes read, the planes spread); the match is kept with the photo
        for run()'s result."""
        read, spread = list(planes), [None] * len(planes)
        for i, (im, ls) in enumerate(zip(loaded, prepared)):
            read[i], spread[i], im.memo["reference_match"] = self.reference_planes(ls, planes[i], ref)
        return read, spread

    def reference_planes(self, l_small: torch.Tensor, planes: torch.Tensor | None, ref: Reference, held: bool = False,
                         steady=None):
        """A photo's hint planes with a reference's colours under the user's (colorizer.reference; held: the gate
        already passed in this shot; steady: what carries the reference's planes from frame to frame, a video's
        TemporalSmoother.carry_planes): (the planes the network reads and spreads, the planes only spread or None,
        the Match)."""
        s = self.reference_settings
        m = match(l_small, ref, s, held)
        own = m.planes
        if steady is not None:
            carried = steady(None if own is None else own[0].permute(1, 2, 0).numpy())
            own = None if carried is None else torch.from_numpy(np.ascontiguousarray(carried.transpose(2, 0, 1)))[None]
        both = with_user_hints(own, planes, s)
        if self.accepts_hints and s.to_network:
            return both, None, m
        return planes, both, m  # the network keeps to the user's hints alone; the spread carries both

    def run(self, image: ImageInput | LoadedImage, size: int | None = None, temperature: float | None = None,
            max_pixels: int = DEFAULT_MAX_PIXELS, hints: HintInput = None, restore: bool | None = None,
            strength: float | None = None, repair: bool | None = None,
            repair_mask: DefectEdit | np.ndarray | None = None, reference=None) -> ColorizeResult:
        """Colorize one image and return gray / prediction / original (None when the input had no colour, or only
        a toned print's one tone: a sepia or cyanotype print is black and white, not an original to score against).
        hints as in `colorize`. Pass a LoadedImage (imageio.load_image) to re-run one photo without decoding
        it again, as the app does when a hint is placed."""
        t0 = time.perf_counter()
        loaded = image if isinstance(image, LoadedImage) else \
            load_image(image, max_pixels, preview_side=self._check_size(size))
        color = _to_pil(self.colorize_arrays([loaded], size, temperature, hints=None if hints is None else [hints],
                                             restore=restore, strength=strength, repair=repair,
                                             repair_masks=None if repair_mask is None else [repair_mask],
                                             reference=reference)[0])
        seconds = time.perf_counter() - t0
        used, old_print = self.route_for(loaded)
        _, decoded_as, why = used.kind_of(loaded)
        old_print = used.old_print_score(loaded) if old_print is None else old_print
        if "gray" not in loaded.memo:  # same L, no chroma; the same for every re-run of this photo
            loaded.memo["gray"] = _to_pil(_with_alpha(join(loaded.pixels, np.zeros((2, 1, 1), np.float32)), loaded.alpha))
        gray = loaded.memo["gray"]
        original = _to_pil(_with_alpha(loaded.rgb, loaded.alpha)) if loaded.is_color else None
        return ColorizeResult(gray=gray, color=color, original=original, seconds=seconds, model=used.name,
                              old_print=old_print, restored=used.restore_default if restore is None else bool(restore),
                              toned=loaded.is_toned, strength=check_strength(strength), decoded_as=decoded_as, why=why,
                              repaired=loaded.memo.get("repaired_share"), defects=loaded.memo.get("defects_used"),
                              repair_release=loaded.memo.get("repair_release", ""),
                              reference_match=loaded.memo.get("reference_match"))

    @torch.inference_mode()
    def suggest(self, image: ImageInput | LoadedImage, x: float, y: float, k: int = 6, size: int | None = None,
                hints: HintInput = None, max_pixels: int = DEFAULT_MAX_PIXELS) -> list[dict]:
        """The k most likely colors at pixel (x, y) of the full-resolution image, from the model's own
        distribution over ab bins there (the palette of Zhang et al. 2017's tool), most likely first:
        [{'rgb': (r, g, b), 'hex': '#rrggbb', 'p': probability}], each at that pixel's own lightness.
        Near-duplicates (bins closer than 2 grid steps to a likelier pick) are skipped."""
        if not self.uses_temperature:
            raise ColorizerError(f"checkpoint {self.name!r} ({self.arch}) predicts one color per pixel, not a "
                                 f"distribution; suggestions need a classification model such as {DEFAULT_CHECKPOINT!r}")
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 32:
            raise ColorizerError(f"k must be a whole number from 1 to 32, not {k!r}")
        loaded = image if isinstance(image, LoadedImage) else \
            load_image(image, max_pixels, preview_side=self._check_size(size))
        used = self.route_for(loaded)[0]
        if used is not self:  # the colors come from the partner: so do the suggestions
            return used.suggest(loaded, x, y, k, size, hints, max_pixels)
        size = self._check_size(size)
        h, w = loaded.shape
        point = parse_hints([[x, y, [0, 0, 0]]], w, h)[0]  # the same coordinate checks as a hint's
        decoding = self.kind_of(loaded)[0]  # the photo's own decoding, as colorize gives it
        view = _photo_view(loaded, [*parse_hints(hints, w, h), point], self.find_frames)  # what colorize sees
        view = view.repaired(self._repairer(loaded, None)).restored(self._restorer(None))
        point, hints = view.hints[-1], view.hints[:-1]
        loaded, (h, w) = view.image, view.image.shape
        l_small = _model_input(loaded, size)
        planes = self.hint_planes(hints, loaded.shape, tuple(l_small.shape[-2:]))
        with self._lock:
            out = run_model(self.model, l_small.to(self.device), None if planes is None else planes.to(self.device), decoding)
        logits = out["logits"][0].float().cpu()
        qh, qw = logits.shape[-2:]
        z = logits[:, min(qh - 1, int(point.y * qh / h)), min(qw - 1, int(point.x * qw / w))]
        if decoding.prior_correction:  # the calibrated distribution, as the decoder sees it
            z = z + bins.prior_correction(decoding.prior_correction, self.rebalance_lambda)
        p = torch.softmax(z, dim=0)
        b = bins.load_bins()
        centers, step = b["centers"], b["grid"]
        picks: list[int] = []
        for q in torch.argsort(p, descending=True).tolist():
            if all(float((centers[q] - centers[o]).norm()) >= 2 * step for o in picks):
                picks.append(q)
            if len(picks) == k:
                break
        px = loaded.pixels[int(point.y), int(point.x)]
        rgb_px = torch.tensor(np.broadcast_to(px, (3,)) / 255.0, dtype=torch.float32).view(3, 1, 1)
        lum = rgb_to_lab(rgb_px)[0]
        lab = torch.stack([lum.expand(len(picks), 1, 1), *[centers[picks, c].view(-1, 1, 1) for c in (0, 1)]], dim=0)
        rgb = (lab_to_rgb(lab.permute(1, 0, 2, 3)).clamp(0, 1) * 255).round().to(torch.uint8).view(len(picks), 3)
        return [{"rgb": tuple(int(v) for v in c), "hex": "#%02x%02x%02x" % tuple(int(v) for v in c),
                 "p": round(float(p[q]), 4)} for c, q in zip(rgb.tolist(), picks)]

    # ------------------------------------------------------------ video (colorizer.video.stream)
    def frame_input(self, pixels: np.ndarray, size: int | None = None) -> torch.Tensor:
        """One video frame (uint8 gray or RGB) -> the model's input, normalized L (1,1,h,w) at working size."""
        return model_input(pixels, self._check_size(size))

    def frame_ab(self, l_small: torch.Tensor, full_shape: tuple[int, int], hints: HintInput = None,
                 reference: Reference | None = None, held: bool = False, steady=None) -> tuple[torch.Tensor, Match | None]:
        """The model's ab (1,2,h,w, normalized) for a frame_input, hints in the frame's full-resolution pixels, and
        the colours of a reference (colorizer.reference.Reference; held: it showed this shot's scene in an earlier
        frame; steady: see reference_planes), with the reference's Match (None without one): what
        colorizer.video.stream carries from frame to frame before it is joined to each frame's own L."""
        planes = self.hint_planes(hints, full_shape, tuple(l_small.shape[-2:])) if hints else None
        spread, m = None, None
        if reference is not None:
            planes, spread, m = self.reference_planes(l_small, planes, reference, held, steady)
        return self.predict_ab(l_small, hints=planes, spread=spread).cpu(), m

    def colorize_video(self, src, dst, **kwargs):
        """Colorize a video file (mp4, mov, webm, avi, mkv, animated gif) into an H.264 MP4 at `dst`, colors
        steady from frame to frame, the audio kept: see colorizer.video.stream.colorize_video for the options."""
        from .video.stream import colorize_video  # imports PyAV and OpenCV only when video is asked for
        return colorize_video(self, src, dst, **kwargs)

    def iter_video(self, src, **kwargs):
        """Yield (source frame, colorized frame) uint8 arrays: see colorizer.video.stream.iter_video."""
        from .video.stream import iter_video
        return iter_video(self, src, **kwargs)

    def iter_colorize(self, sources: Iterable[ImageInput], **kwargs):
        """Yield (source, PIL.Image or None, error message or None), never stopping at a bad file."""
        for src in sources:
            try:
                yield src, self.colorize(src, **kwargs), None
            except ColorizerError as exc:
                yield src, None, str(exc)

    def __repr__(self) -> str:
        return (f"Colorizer({self.name!r}, arch={self.arch!r}, working_size={self.working_size}, "
                f"backend={self.backend}, device={self.device})")


MAX_STRENGTH = 2.0


def check_strength(strength: float | None) -> float:
    """The colour-strength factor: None ("auto") is 1, the colours as decoded for this kind of photo; 0 is
    gray; above 1 more vivid, up to MAX_STRENGTH (beyond it most hues leave the sRGB gamut)."""
    if strength is None:
        return 1.0
    try:
        value = float(strength)
    except (TypeError, ValueError):
        raise ColorizerError(f"colour strength must be a number from 0 to {MAX_STRENGTH:g}, not {strength!r}") from None
    if not 0.0 <= value <= MAX_STRENGTH:  # NaN fails too
        raise ColorizerError(f"colour strength must be from 0 (gray) to {MAX_STRENGTH:g} (vivid), not {strength!r}")
    return value


def tone_path(name: str = TONE_CHECKPOINT) -> Path:
    """Where a tone-restoration model of that name is shipped."""
    return WEIGHTS_DIR / f"{name}.safetensors"


class ColorizerPool:
    """Checkpoints loaded on first use and kept: the app's models are never loaded per request."""

    def __init__(self, device: str | torch.device | None = None):
        self.device = device
        self._models: dict[str, Colorizer] = {}
        self._lock = threading.Lock()

    def get(self, name: str | None = None) -> Colorizer:
        key = str(name or DEFAULT_CHECKPOINT)
        with self._lock:
            if key not in self._models:
                self._models[key] = Colorizer.load(key, self.device)
            return self._models[key]
