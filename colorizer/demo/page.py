"""What the web demo computes for a request, so that app.py stays UI wiring only.

Where a request's time went before (a 1 MP JPEG: 0.15 s of colorizing, 4.7 s round trip): every image
was handed to Gradio as a PIL image and written as lossless PNG, the two slider images a second time, the
side-by-side sheet was built and written whether or not anyone wanted it, and the metrics ran CIEDE2000 on
the full preview. Here each image is encoded once, by us, as JPEG (libjpeg-turbo through simplejpeg;
what a browser shows of a photo, a tenth of the PNG's bytes), and the same file serves the panel and the
slider; the sheet, the slide deck and the comparison grid are made on demand; the metrics run on a
512 px copy (the same figures to a decimal); and a photo stays decoded between hint clicks (`PhotoCache`).
"""
from __future__ import annotations

import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

from PIL import Image, ImageDraw

from ..hints import parse_hints
from ..imageio import LoadedImage, encode_image, load_image, output_format
from ..inference import Colorizer
from ..reference import Reference
from ..repair import find_defects
from ..evaluation.figures import grid
from .presentation import compare, side_by_side

METRIC_SIDE = 256  # long side of the copies the on-page metrics are computed on (same figures to a decimal)


class PhotoCache:
    """The last few uploads, decoded: placing a hint re-colorizes without decoding the photo again."""

    def __init__(self, size: int = 4):
        self.size, self._items, self._lock = size, OrderedDict(), threading.Lock()

    def get(self, path: str, max_pixels: int, preview_side: int) -> LoadedImage:
        st = os.stat(path)
        key = (path, st.st_mtime_ns, st.st_size, max_pixels)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        loaded = load_image(path, max_pixels, preview_side=preview_side)
        with self._lock:
            self._items[key] = loaded
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return loaded


@dataclass
class Rendered:
    """One result, as files in its own folder (plain values: it lives in the page's gr.State)."""
    folder: str
    gray: str
    color: str                 # the clean colorized preview (slider, sheet, deck)
    color_marked: str          # the same with the hints drawn as dots (the panel that takes clicks)
    original: str | None
    full: str                  # full-resolution download
    name: str                  # checkpoint
    arch: str
    backend: str
    full_size: tuple[int, int]   # (width, height) of the photo
    preview_size: tuple[int, int]
    seconds: float
    working_size: int
    hints: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    restored: bool = False     # the photo's tone was restored before colorizing (colorizer.restore)
    model: str = ""            # the checkpoint that colorized it: `name`, or its clean-photo partner (colorizer.routing)
    old_print: float | None = None  # how much the photo looked like an old print, when the checkpoint routes
    toned: bool = False        # the upload was a toned black-and-white print: no original, no metrics against it
    strength: float | None = None  # the colour strength asked for (None: auto)
    decoded_as: str = ""       # "old photo" or "photo": which of the checkpoint's decodings (Colorizer.kind_of)
    why: str = ""              # and why
    repaired: float | None = None  # the share of pixels filled as scratches and dust (None: not repaired)
    touch: str | None = None   # the gray preview with the map the repair filled in red: the touch-up brush's canvas
    touched: bool = False      # the map was corrected by hand (the brush)
    repair_release: str = ""   # which repair ran ("repair v7", from its checkpoint), when it did
    reference_taken: float | None = None  # the share of the photo that took a reference photo's colours (None: none given)

    def as_state(self) -> dict:
        return asdict(self)


def size_in_bytes(text: str) -> int:
    """A size as Gradio's max_file_size takes it ("25mb", "1 GB", "500kb", "1000") in bytes."""
    t = str(text).strip().lower().replace(" ", "")
    for unit, k in (("gb", 2**30), ("mb", 2**20), ("kb", 2**10), ("b", 1)):
        if t.endswith(unit):
            return int(float(t[:-len(unit)]) * k)
    return int(float(t))


def _preview(img: Image.Image, side: int) -> Image.Image:
    if max(img.size) <= side:
        return img
    small = img.copy()
    small.thumbnail((side, side), Image.BILINEAR, reducing_gap=2.0)
    return small


def _write(img: Image.Image, folder: str, stem: str, fmt: str | None = None) -> str:
    fmt = fmt or ("PNG" if img.mode == "RGBA" else "JPEG")
    path = os.path.join(folder, f"{stem}.{'jpg' if fmt == 'JPEG' else 'png'}")
    encode_image(img, path, fmt)
    return path


def draw_hints(img: Image.Image, hints: list, full_size: tuple[int, int]) -> Image.Image:
    """The preview with each hint as a dot of its color, ringed black and white so it shows on any photo."""
    if not hints:
        return img
    out = img.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    k = out.width / full_size[0]
    r = max(4, round(max(out.size) / 90))
    for h in parse_hints(hints, *full_size):
        x, y = h.x * k, h.y * k
        draw.ellipse([x - r - 2, y - r - 2, x + r + 2, y + r + 2], fill="white")
        draw.ellipse([x - r - 1, y - r - 1, x + r + 1, y + r + 1], fill="black")
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(h.rgb))
    return out


def render(c: Colorizer, image: str, size: int, temperature: float, hints, preview: int, root: str,
           cache: PhotoCache, max_pixels: int, page: bool = True, restore: bool | None = None,
           strength: float | None = None, repair: bool | None = None, defect_map: bool = False,
           repair_mask=None, reference: str | None = None, matched_map: bool = False) -> Rendered:
    """Colorize `image` (a path) and write what the page shows, each file once, in a new folder under root.
    page=False (the API): only the full-resolution file and the figures, no on-page previews.
    restore: restore a faded print's tone first; None, as the checkpoint's release chose.
    strength: colour strength (Colorizer.colorize); None or 1: auto.
    repair: fill scratches and dust first (colorizer.repair); None: photos judged old prints are.
    defect_map: the gray panel shows the defects found, in red (the page only).
    repair_mask: the map as corrected by hand (colorizer.repair.DefectEdit or a bool array): the photo is repaired
    with it. The map the repair used comes back with the result: the panels never detect the photo again.
    reference: a colour photo of the same scene (a path; colorizer.reference), read once while it stays in the cache;
    matched_map: the gray panel shows in blue the parts that took its colours (the page only)."""
    loaded = cache.get(image, max_pixels, size)
    ref = None
    if reference:
        ref_image = cache.get(reference, max_pixels, size)
        if "as_reference" not in ref_image.memo:  # its features are kept with it
            ref_image.memo["as_reference"] = Reference.load(ref_image)
        ref = ref_image.memo["as_reference"]
    hints = [list(h) if isinstance(h, tuple) else h for h in (hints or [])]
    # the box left as the release set it means "as released": a routed photo then takes its own network's choice
    as_released = restore is None or bool(restore) == c.restore_default
    strength = None if strength is None or float(strength) == 1.0 else float(strength)
    r = c.run(loaded, size=size, temperature=temperature, hints=hints or None, restore=None if as_released else bool(restore),
              strength=strength, repair=repair, repair_mask=repair_mask, reference=ref)
    restored = r.restored
    folder = tempfile.mkdtemp(dir=root)
    full_size = r.color.size
    fmt = output_format(image, r.color.mode == "RGBA")
    full = _write(r.color, folder, "colorized", fmt)
    gray, color = _preview(r.gray, preview), _preview(r.color, preview if page else METRIC_SIDE)
    original = _preview(r.original, preview) if r.original is not None else None
    metrics = {}
    if original is not None:
        metrics = compare(_preview(color, METRIC_SIDE), _preview(original, METRIC_SIDE))
    if page:
        color_path = _write(color, folder, "colorized-preview")
        marked = _write(draw_hints(color, hints, full_size), folder, "colorized-hints") if hints else color_path
        used = r.defects if r.defects is not None else (find_defects(loaded) if defect_map else None)
        shown = mark_defects(gray, used) if defect_map else gray
        if matched_map and r.reference_match is not None:
            shown = mark_defects(shown, r.reference_match.mask, MATCHED_COLOR)
        gray_path = _write(shown, folder, "gray")
        touch = _write(mark_defects(gray, used) if used is not None else gray, folder, "touch", "PNG")
        original_path = _write(original, folder, "original") if original is not None else None
    else:
        color_path = marked = gray_path = full
        original_path = image if original is not None else None
        touch = None
    return Rendered(folder=folder, gray=gray_path, color=color_path, color_marked=marked, original=original_path, full=full,
                    name=c.name, arch=c.arch, backend=c.backend, full_size=full_size, preview_size=color.size,
                    seconds=r.seconds, working_size=size, hints=hints, metrics=metrics, restored=restored,
                    model=r.model, old_print=r.old_print, toned=r.toned, strength=strength,
                    decoded_as=r.decoded_as, why=r.why, repaired=r.repaired, touch=touch,
                    touched=repair_mask is not None,
                    repair_release=r.repair_release, reference_taken=r.reference_taken)


def brush_edit(layer):
    """What the touch-up brush painted (a layer of the editor, RGBA at the preview's size) as a map edit: red
    strokes add damage the repair missed, green strokes remove what it took by mistake. None: nothing painted."""
    import numpy as np
    from ..repair import DefectEdit
    if layer is None:
        return None
    px = np.asarray(layer)
    if px.ndim != 3 or px.shape[2] < 3:
        return None
    painted = px[..., 3] > 0 if px.shape[2] == 4 else px[..., :3].max(axis=2) > 0
    r, g = px[..., 0].astype(int), px[..., 1].astype(int)
    add, remove = painted & (r > g), painted & (g >= r)
    if not add.any() and not remove.any():
        return None
    return DefectEdit(add=add if add.any() else None, remove=remove if remove.any() else None)


DEFECT_COLOR, MATCHED_COLOR = (230, 30, 30), (40, 110, 240)


def mark_defects(gray: Image.Image, mask, color: tuple[int, int, int] = DEFECT_COLOR) -> Image.Image:
    """The gray panel with a map laid on in colour: the defects found (colorizer.repair.find_defects, full
    resolution) in red, or the parts that took a reference's colours (its Match.mask, working size) in blue."""
    rgb = gray.convert("RGB")
    red = Image.new("RGB", rgb.size, color)
    m = Image.fromarray(mask.astype("uint8") * 255).resize(rgb.size, Image.BOX if mask.shape[1] > rgb.width else Image.NEAREST)
    return Image.composite(red, rgb, m.point(lambda v: 255 if v >= 64 else 0))


def _route_line(r: dict) -> str:
    """Which decoding the photo got and why (colorizer.inference.Colorizer.kind_of), or which network a routed
    checkpoint gave it to (colorizer.routing)."""
    if r.get("decoded_as") and r.get("why"):
        kind = "an old photo" if r["decoded_as"] == "old photo" else "a modern photo"
        partner = f", colorized by {r['model']}" if r.get("model") and r["model"] != r["name"] else ""
        return f" · decoded as {kind} ({r['why']}){partner}"
    if r.get("old_print") is None:
        return ""
    kind = "an old print" if r.get("model") == r["name"] else f"a clean photo, colorized by {r.get('model')}"
    return f" · read as {kind} (old-print score {r['old_print']:.2f})"


def _reference_line(taken: float | None) -> str:
    if taken is None:
        return ""
    if taken == 0:
        return " · the reference photo matched nothing here: the colours are as without it"
    return f" · colours from the reference photo on {taken:.0%} of the photo"


def summary(r: dict) -> str:
    """The markdown under the panels."""
    w, h = r["full_size"]
    lines = [f"**{r['name']}** ({r['arch']}, {r['backend']}) · {w}x{h} · working size {r['working_size']} · "
             f"{r['seconds']:.2f} s" + (f" · {len(r['hints'])} hint{'s' * (len(r['hints']) != 1)}" if r["hints"] else "")
             + (" · tone restored" if r.get("restored") else "")
             + (f" · scratches and dust filled{' by ' + r['repair_release'] if r.get('repair_release') else ''} "
                f"({r['repaired']:.2%} of pixels"
                + (", the map corrected by hand)" if r.get("touched") else ")") if r.get("repaired") is not None else "")
             + (f" · colour strength {r['strength']:g}" if r.get("strength") is not None else "") + _route_line(r)
             + _reference_line(r.get("reference_taken"))]
    m = r["metrics"]
    if m:
        lines.append(f"Against the original: PSNR **{m['psnr']:.2f} dB** · CIEDE2000 **{m['ciede2000']:.2f}** · "
                     f"wash **{m.get('wash', float('nan')):.3f}** · colorfulness **{m['cf_pred']:.1f}** "
                     f"(original {m['cf_true']:.1f})")
    elif r.get("toned"):
        lines.append("The upload is a toned black-and-white print (one tone, such as sepia or cyanotype), so it has "
                     "no colour original to compare with.")
    elif r.get("original") is None:
        lines.append("The upload was grayscale, so there is no original to compare with.")
    return "\n\n".join(lines)


def panels(r: dict) -> list[tuple[str, str]]:
    out = [(r["gray"], "grayscale input"), (r["color"], f"colorized ({r['name']})")]
    if r.get("original"):
        out.append((r["original"], "original"))
    return out


def sheet(r: dict) -> str:
    """The captioned side-by-side PNG for a slide, made when asked for."""
    images = [(Image.open(p), cap) for p, cap in panels(r)]
    return _write(side_by_side(images), r["folder"], "side-by-side", "PNG")


def metric_caption(m: dict) -> str:
    return f"PSNR {m['psnr']:.1f} · CIEDE {m['ciede2000']:.1f} · wash {m['wash']:.2f} · CF {m['cf_pred']:.0f}" if m else ""


def compare_models(models, image: str, size: int, temperature: float, preview: int, root: str, cache: PhotoCache,
                   max_pixels: int) -> dict:
    """The same photo through each of `models` ((checkpoint name, Colorizer) pairs, any iterable, the
    default first): the comparison's tiles and grid (see `comparison`)."""
    loaded = cache.get(image, max_pixels, size)
    results, reference = [], None
    for name, c in models:
        r = c.run(loaded, size=size, temperature=temperature)
        if reference is None:
            reference = (_preview(r.original, preview), "original") if r.original is not None \
                else (_preview(r.gray, preview), "grayscale input")
        results.append((name, c.arch, _preview(r.color, preview)))
    return comparison(results, reference, root)


def comparison(results: list[tuple[str, str, Image.Image]], reference: tuple[Image.Image, str], root: str) -> dict:
    """All models on one photo. results: [(checkpoint, arch, colorized preview)]; reference: (original or
    gray, its label). Writes each tile (JPEG) and one captioned grid for a slide; returns plain values."""
    folder = tempfile.mkdtemp(dir=root)
    ref_img, ref_label = reference
    small_ref = _preview(ref_img, METRIC_SIDE)
    tiles, captions, labels = [_write(ref_img.convert("RGB"), folder, "reference")], [ref_label], [ref_label]
    for i, (name, arch, img) in enumerate(results):
        m = compare(_preview(img, METRIC_SIDE), small_ref) if ref_label == "original" else {}
        tiles.append(_write(img.convert("RGB"), folder, f"model-{i}"))
        captions.append(f"{name} ({arch})" + (f"\n{metric_caption(m)}" if m else ""))
        labels.append(f"{name} ({arch})" + (f" · {metric_caption(m)}" if m else ""))
    cols = min(3, len(tiles))
    imgs = [Image.open(t) for t in tiles]
    rows = [imgs[i:i + cols] for i in range(0, len(imgs), cols)]
    caps = [captions[i:i + cols] for i in range(0, len(captions), cols)]
    sheet_img = _grid_rows(rows, caps)
    return {"tiles": list(zip(tiles, labels)), "grid": _write(sheet_img, folder, "comparison", "PNG")}


def _grid_rows(rows: list[list[Image.Image]], captions: list[list[str]]) -> Image.Image:
    """presentation.grid puts one caption per column; a comparison needs one per tile: stack one-row grids."""
    parts = [grid([row], caps, tile=240) for row, caps in zip(rows, captions)]
    width = max(p.width for p in parts)
    out = Image.new("RGB", (width, sum(p.height for p in parts)), "white")
    y = 0
    for p in parts:
        out.paste(p, (0, y))
        y += p.height
    return out


def deck(r: dict | None, comp: dict | None, root: str) -> str:
    """A .pptx of the current result (and the comparison when made)."""
    from .slides import SlideImages, write_deck
    if not r and not comp:
        raise ValueError("nothing to put in a deck yet")
    folder = r["folder"] if r else tempfile.mkdtemp(dir=root)
    results = []
    if r:
        notes = [f"Model: {r['name']} ({r['arch']}), working size {r['working_size']}"]
        if r["metrics"]:
            m = r["metrics"]
            notes.append(f"Against the original: PSNR {m['psnr']:.2f} dB, CIEDE2000 {m['ciede2000']:.2f}, "
                         f"colorfulness {m['cf_pred']:.1f} (original {m['cf_true']:.1f})")
        if r["hints"]:
            notes.append(f"{len(r['hints'])} color hints placed by hand")
        results.append(SlideImages(panels=panels(r), title="Grayscale to color", notes=notes))
    path = os.path.join(folder, "colorizer-slides.pptx")
    write_deck(path, "Colorizer", results,
               comparison=(comp["grid"], "Every model on the same photo") if comp else None)
    return path


def swatch(hex_color: str, side: int = 48) -> Image.Image:
    return Image.new("RGB", (side, side), hex_color)


def pixel_color(path: str, x: float, y: float, full_size: tuple[int, int]) -> str:
    """'#rrggbb' of the preview file at the full-resolution point (x, y)."""
    with Image.open(path) as im:
        k = im.width / full_size[0]
        px = im.convert("RGB").getpixel((min(im.width - 1, int(x * k)), min(im.height - 1, int(y * k))))
    return "#%02x%02x%02x" % px


def preview_to_full(index, preview_size, full_size) -> tuple[int, int]:
    """A click on the on-page preview (its pixel coordinates) -> the photo's full-resolution pixel."""
    x, y = index
    k = full_size[0] / preview_size[0]
    return min(full_size[0] - 1, int(x * k)), min(full_size[1] - 1, int(y * k))


def hex_to_rgb(value: str) -> list[int]:
    v = value.strip().lstrip("#")
    if v.startswith("rgb"):  # some browsers hand back rgba(r, g, b, a)
        nums = [float(t) for t in v[v.index("(") + 1:v.index(")")].split(",")[:3]]
        return [int(round(n)) for n in nums]
    return [int(v[i:i + 2], 16) for i in (0, 2, 4)]



def render_video(c: Colorizer, video: str, start: float, end: float | None, root: str, max_seconds: float,
                 max_pixels: int, progress=None, reference: str | None = None) -> tuple[str, str]:
    """Colorize a video (a path) into a new folder under root, within the page's limits (checked from the
    container before a frame is decoded). Returns the MP4's path and a markdown summary."""
    import time
    from pathlib import Path
    folder = tempfile.mkdtemp(dir=root)
    out = os.path.join(folder, f"{Path(video).stem}_colorized.mp4")
    t0 = time.perf_counter()
    info = c.colorize_video(video, out, start=start, end=end, max_seconds=max_seconds, max_pixels=max_pixels,
                            progress=progress, reference=reference)
    seconds = time.perf_counter() - t0
    text = (f"**{c.name}** ({c.arch}) · {info['width']}x{info['height']} · {info['frames']} frames at "
            f"{info['fps']:.3g} fps ({info['seconds']:.1f} s) · {seconds:.1f} s to colorize "
            f"({info['frames'] / max(seconds, 1e-6):.1f} frames/s)" + (" · audio kept" if info["audio"] else "")
            + (" · colours from the reference photo where it matches" if reference else ""))
    return out, text
