"""Gradio app: upload a photo, pick a model, see gray / colorized / original, fix colors with hints, and
take the result to a slide; or colorize a video clip. UI wiring only: the image work is colorizer.Colorizer,
the per-request files colorizer.demo.page, the slide deck colorizer.demo.slides. Run: python app.py [--host H] [--port P] [--share] [--mcp]."""
from __future__ import annotations

import argparse
import json
import os
import tempfile

# Nothing goes into the working directory: Gradio's upload and example caches live in a temp folder.
_TMP = tempfile.mkdtemp(prefix="colorizer-app-")
os.environ.setdefault("GRADIO_TEMP_DIR", os.path.join(_TMP, "uploads"))
os.environ.setdefault("GRADIO_EXAMPLES_CACHE", os.path.join(_TMP, "examples"))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from colorizer import ColorizerError, bins  # noqa: E402
from colorizer.demo import batch as album  # noqa: E402
from colorizer.demo import page as demo  # noqa: E402
from colorizer.inference import DEFAULT_CHECKPOINT, Colorizer, ColorizerPool  # noqa: E402
from colorizer.demo.presentation import headline_metrics, metrics_label  # noqa: E402

ROOT = Path(__file__).resolve().parent
MAX_UPLOAD = os.environ.get("COLORIZER_MAX_UPLOAD", "25mb")             # refused by the server, undecoded
MAX_PIXELS = int(os.environ.get("COLORIZER_MAX_PIXELS", "50000000"))    # refused from the header, undecoded
CONCURRENCY = int(os.environ.get("COLORIZER_CONCURRENCY", "2"))  # computed at once (2 cores); the rest wait
QUEUE_SIZE = int(os.environ.get("COLORIZER_QUEUE_SIZE", "32"))   # past this, requests are refused: queue full
PREVIEW = int(os.environ.get("COLORIZER_PREVIEW", "1600"))  # long side of the on-page panels, in pixels
# what keeps a shared Space responsive: a video is refused from its container's header, before decoding
VIDEO_SECONDS = float(os.environ.get("COLORIZER_VIDEO_SECONDS", "20"))
VIDEO_PIXELS = int(os.environ.get("COLORIZER_VIDEO_PIXELS", str(1280 * 720)))
BATCH = album.BatchLimits(files=int(os.environ.get("COLORIZER_BATCH_FILES", "50")),
                          total_bytes=int(float(os.environ.get("COLORIZER_BATCH_MB", "200")) * 2**20),
                          file_bytes=demo.size_in_bytes(MAX_UPLOAD), pixels=MAX_PIXELS)
POOL = ColorizerPool()
PHOTOS = demo.PhotoCache()
CSS = """
.gradio-container {max-width: 1600px !important; margin: auto}
#panels img {object-fit: contain}
#swatches .thumbnail-item {min-width: 40px}
/* the whole comparison on the page: Gradio caps a gallery at 55vh and scrolls inside it */
#gallery .grid-wrap {max-height: none !important; height: auto !important; overflow-y: visible !important}
@media (max-width: 700px) { #panels {flex-direction: column} #panels > div {min-width: 100% !important} }
"""


def upload_video(**kwargs) -> gr.Video:
    """A gr.Video that hands the upload's path to the library untouched (Gradio would otherwise convert a
    clip it cannot play with a system ffmpeg): colorizer.video.stream reads it, or says why it cannot."""
    comp = gr.Video(format=None, **kwargs)

    def preprocess(payload):
        if payload is None:
            return None
        video = getattr(payload, "video", payload)
        return str(getattr(video, "path", video))

    comp.preprocess = preprocess
    return comp


def upload_image(**kwargs) -> gr.Image:
    """A gr.Image that hands the upload's path to the library untouched, so a corrupt, huge or odd file is
    judged (and explained) by colorizer's safe loader rather than decoded by Gradio first. (Overridden on
    the instance: subclassing a component would make Gradio write an app.pyi stub next to this file.)"""
    comp = gr.Image(type="filepath", image_mode=None, **kwargs)
    default = comp.preprocess

    def preprocess(payload):
        if payload is not None and getattr(payload, "path", None) and not str(payload.url or "").startswith("data:"):
            return str(payload.path)
        return default(payload)

    comp.preprocess = preprocess
    return comp


def _choices() -> list[tuple[str, str]]:
    out = []
    for e in Colorizer.available():
        m = e["metadata"]
        tag = " (flagship)" if e["name"] == DEFAULT_CHECKPOINT else ""
        nums = metrics_label(m)
        out.append((f"{e['name']}{tag} [{m['arch']}]" + (f" · {nums}" if nums else ""), e["name"]))
    return out


def _error(exc: Exception, image: str | None) -> gr.Error:
    """A readable message that names the user's file, not the server's temp path."""
    msg = str(exc)
    if image:
        msg = msg.replace(str(image), Path(image).name)
    return gr.Error(msg)


def _parse_hint_json(text: str | None) -> list:
    if not text or not text.strip():
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise gr.Error(f"hints are not valid JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(value, list):
        raise gr.Error("hints must be a JSON list of [x, y, [r, g, b]]")
    return value


def colorize(image: str | None, checkpoint: str, size: int, temperature: float, hints: str = "",
             restore: bool | None = None, strength: float | None = None, repair: bool | None = None,
             reference: str | None = None, repair_mask: str | None = None):
    """Colorize one photo, optionally with user color hints.

    Args:
        image: the photo (any common format; color or black-and-white).
        checkpoint: model name, e.g. "effnet-unet" (the flagship; the only one that takes hints).
        size: working resolution in pixels (the model sees about size x size; colors are laid on the full photo).
        temperature: vivid (low) to safe (high), for classification models.
        hints: JSON list of [x, y, [r, g, b]] in the photo's pixels; only the colors' chroma is used.
        restore: restore a faded print's tone (lifted blacks, dull whites, dark corners) before colorizing;
            empty: as the model's release chose (the flagship's card says which).
        strength: colour strength from 0 (gray) through 1 (auto: as decoded for the kind of photo) to 2 (vivid).
        repair: fill scratches, cracks and dust before colorizing (empty: as the model's release chose; False: never).
        reference: optional colour photo of the same place, person or film: the parts of the photo it shows take its
            colours, the rest is coloured as without it (a reference that matches nothing changes nothing; hints win).
        repair_mask: optional image of the defect map to fill instead of the one the repair finds (white or any
            colour: fill; black or transparent: leave), at the photo's size or resized to it.
    Returns the colorized photo at full resolution (JPEG for JPEG photos, else PNG) and a summary (model,
    time, and PSNR / CIEDE2000 / colorfulness against the original when the upload had color)."""
    if not image:
        raise gr.Error("Upload, paste or capture a photo first.")
    edit = _mask_file(repair_mask) if repair_mask else None
    r = _render(image, checkpoint, size, temperature, hints, page=False, restore=restore, strength=strength, repair=repair,
                edit=edit, reference=reference)
    return r["full"], demo.summary(r)


def _mask_file(path: str):
    """A repair mask uploaded through the API: any pixel neither black nor transparent is a defect to fill."""
    from colorizer.imageio import load_image
    try:
        im = load_image(path, MAX_PIXELS)
    except ColorizerError as exc:
        raise _error(exc, path) from None
    px = im.pixels if im.pixels.ndim == 2 else im.pixels.max(axis=2)
    return (px > 127) if im.alpha is None else (px > 127) & (im.alpha > 127)


def colorize_video(video: str | None, checkpoint: str, start: float = 0.0, end: float | None = None,
                   reference: str | None = None, progress=gr.Progress()):
    """Colorize a video clip, its colors steady from frame to frame and its audio kept.

    Args:
        video: the clip (mp4, mov, webm, avi, mkv or animated gif), at most 20 s and 1280x720 here.
        checkpoint: model name, e.g. "effnet-unet" (the flagship).
        start: colorize from this second.
        end: up to this second (empty or 0: to the end).
        reference: optional colour photo of the same scene or film, for the whole clip (its parts take its colours).
    Returns the colorized clip (H.264 MP4) and a summary (size, frames, time)."""
    if not video:
        raise gr.Error("Upload a video clip first.")
    try:
        c = POOL.get(checkpoint or DEFAULT_CHECKPOINT)
        path, text = demo.render_video(c, video, float(start or 0), float(end) if end else None, _TMP, VIDEO_SECONDS,
                                       VIDEO_PIXELS, lambda done, total: progress((done, total), unit="frames"),
                                       reference=reference or None)
    except (ColorizerError, OSError) as exc:
        raise _error(exc, video) from None
    return path, text


def colorize_batch(files: list[str] | None, checkpoint: str, strength: float | None = None, repair: bool | None = None,
                   progress=gr.Progress()):
    """Colorize many photos at once: photos, or .zip archives of photos, in one request.

    Args:
        files: the photos (any common format) and/or .zip archives of photos; at most 50 photos and 200 MB here.
        checkpoint: model name, e.g. "effnet-unet" (the flagship).
        strength: colour strength from 0 (gray) through 1 (auto) to 2 (vivid).
        repair: fill scratches, cracks and dust first (empty: as the model's release chose; False: never).
    Returns a .zip of the colorized photos at full resolution with colorize.csv (per photo: output, decoding and
    why, repaired share, seconds, or the error), and a summary listing the files that failed and why."""
    r = _batch(files, checkpoint, strength, repair, progress)
    return r.zip_path, r.summary()


def _batch(files, checkpoint, strength, repair, progress) -> album.BatchResult:
    if not files:
        raise gr.Error("Upload photos or a .zip of photos first.")
    try:
        c = POOL.get(checkpoint or DEFAULT_CHECKPOINT)
        return album.run_batch(c, [str(getattr(f, "path", f)) for f in files], _TMP, BATCH,
                               lambda done, total, name: progress((done, total), desc=name, unit="photos"),
                               strength=strength, repair=_repair_choice(c, repair))
    except (ColorizerError, OSError) as exc:
        raise gr.Error(str(exc)) from None


def _batch_page(files, checkpoint, strength, repair, progress=gr.Progress()):
    r = _batch(files, checkpoint, strength, repair, progress)
    first = r.pairs[0] if r.pairs else None
    return r.tiles, r.zip_path, r.summary(), r.pairs, first


def _batch_pick(pairs, evt: gr.SelectData):
    """A click on a result: its gray and colour side by side."""
    if not pairs or evt.index is None or evt.index >= len(pairs):
        return gr.skip()
    return tuple(pairs[evt.index])


def _colorize_video_page(video, checkpoint, start, end, reference, progress=gr.Progress()):
    path, text = colorize_video(video, checkpoint, start, end, reference, progress)
    return path, path, text


def _render(image, checkpoint, size, temperature, hints, page: bool = True, restore: bool | None = None,
            strength: float | None = None, repair: bool | None = None, defect_map: bool = False, edit=None,
            reference: str | None = None, matched_map: bool = False) -> dict:
    try:
        c = POOL.get(checkpoint or DEFAULT_CHECKPOINT)
        if edit is not None and repair is False:
            edit = None  # the switch off: no repair, whatever was painted
        r = demo.render(c, image, int(size), float(temperature), _parse_hint_json(hints), PREVIEW, _TMP, PHOTOS,
                        MAX_PIXELS, page=page, restore=restore, strength=strength,
                        repair=None if edit is not None else _repair_choice(c, repair), defect_map=bool(defect_map),
                        repair_mask=edit, reference=reference or None, matched_map=bool(matched_map)).as_state()
    except (ColorizerError, OSError) as exc:
        raise _error(exc, image) from None
    return dict(r, source=image)  # the source: where a hint click's suggestions are computed


def _repair_choice(c: Colorizer, checked: bool | None) -> bool | None:
    """The switch: ticked where the release repairs old photos means "as released" (photos judged old are
    repaired); ticked otherwise means repair this photo; unticked, never."""
    if checked is None:
        return None
    return None if checked and c.repair_old else bool(checked)


def _show(image, checkpoint, size, temperature, hints, restore=None, strength=None, repair=None, reference=None,
          defect_map=False, matched_map=False, touch=None):
    """The page's own colorize: the same, plus the panel with hint dots, the touch-up canvas and the result kept
    in state. touch: the brush's corrections of the defect map (colorizer.repair.DefectEdit), or None."""
    if not image:
        return None, None, None, None, "", None, None, gr.update(choices=[], value=None), None
    r = _render(image, checkpoint, size, temperature, hints, restore=restore, strength=strength, repair=repair,
                defect_map=defect_map, edit=touch, reference=reference, matched_map=matched_map)
    labels = [(f"#{i + 1} at ({h[0]}, {h[1]}) {demo_hex(h[2])}", i) for i, h in enumerate(r["hints"])]
    canvas = {"background": r["touch"], "layers": [], "composite": None}
    return (r["gray"], r["color_marked"], r["original"], (r["gray"], r["color"]), demo.summary(r), r["full"], r,
            gr.update(choices=labels, value=None), canvas)


def _touch_up(editor, result, *page_args):
    """The brush's strokes read as corrections of the defect map, the photo repaired and colorized again with them."""
    if not result:
        raise gr.Error("Colorize a photo first, then paint on it.")
    layers = (editor or {}).get("layers") or []
    edit = demo.brush_edit(layers[0] if layers else None)
    if edit is None:
        raise gr.Error("Paint red over damage the repair missed, or green over what it should leave, first.")
    *shown, = _show(*page_args[:-1], touch=edit)
    return (*shown, edit)


def demo_hex(rgb) -> str:
    return rgb if isinstance(rgb, str) else "#%02x%02x%02x" % tuple(rgb)


def compare_all(image: str | None, size: int, temperature: float, progress=gr.Progress()):
    """The same photo through every shipped checkpoint.

    Returns a gallery [(image, caption)]: the original (or the grayscale input) first, then each model with
    its metrics against the original."""
    gallery, _ = _compare(image, size, temperature, progress)
    return gallery


def _compare(image, size, temperature, progress=gr.Progress()):
    if not image:
        raise gr.Error("Upload, paste or capture a photo first.")
    try:
        # a generator: each model is loaded (once, by the pool) and run in turn, the progress bar following
        models = ((e["name"], POOL.get(e["name"])) for e in progress.tqdm(Colorizer.available(), desc="models"))
        comp = demo.compare_models(models, image, int(size), float(temperature), PREVIEW, _TMP, PHOTOS, MAX_PIXELS)
    except (ColorizerError, OSError) as exc:
        raise _error(exc, image) from None
    return comp["tiles"], comp


def _compare_page(image, size, temperature, progress=gr.Progress()):
    tiles, comp = _compare(image, size, temperature, progress)
    return gr.update(visible=True), tiles, comp["grid"], comp


def _sheet(result):
    if not result:
        raise gr.Error("Colorize a photo first.")
    return demo.sheet(result)


def _deck(result, comp):
    if not result and not comp:
        raise gr.Error("Colorize a photo (or compare all models) first.")
    return demo.deck(result, comp, _TMP)


# ---------------------------------------------------------------- hints
def _pick(result, checkpoint, size, hints, evt: gr.SelectData):
    """A click on the colorized panel: remember the point, preset the picker to the color there, and offer
    the model's own likely colors at that point as swatches."""
    if not result:
        raise gr.Error("Colorize a photo first, then click on the colorized image.")
    x, y = demo.preview_to_full(evt.index, result["preview_size"], result["full_size"])
    c = POOL.get(checkpoint or DEFAULT_CHECKPOINT)
    if not c.accepts_hints:
        raise gr.Error(f"{c.name} does not take color hints; choose the flagship {DEFAULT_CHECKPOINT}.")
    source = result.get("source")
    try:
        sugg = c.suggest(PHOTOS.get(source, MAX_PIXELS, int(size)), x, y, k=6, size=int(size),
                         hints=_parse_hint_json(hints) or None) if source else []
    except (ColorizerError, OSError) as exc:
        raise _error(exc, source) from None
    current = demo.pixel_color(result["color"], x, y, result["full_size"])
    tiles = [(demo.swatch(s["hex"]), f"{s['hex']} ({s['p']:.0%})") for s in sugg]
    return ({"x": x, "y": y, "current": current, "suggestions": [s["hex"] for s in sugg]}, gr.update(value=current),
            tiles, f"Point ({x}, {y}) selected: pick a color below, or a suggested one.")


def _add_hint(point, color, hints):
    """Put a hint of `color` at the selected point (replacing one already there). The picker's value is also
    set when a point is chosen (to the model's color there): that is no hint, so it changes nothing."""
    if not point or not color or color.lower() == point.get("current", "").lower():
        return gr.skip()
    current = [h for h in _parse_hint_json(hints) if (h[0], h[1]) != (point["x"], point["y"])]
    current.append([point["x"], point["y"], demo.hex_to_rgb(color)])
    return json.dumps(current)


def _swatch(point, hints, evt: gr.SelectData):
    if not point or evt.index is None or evt.index >= len(point.get("suggestions", [])):
        raise gr.Error("Click on the colorized image first.")
    color = point["suggestions"][evt.index]
    return _add_hint(point, color, hints), gr.update(value=color)


def _undo(hints):
    return json.dumps(_parse_hint_json(hints)[:-1])


def _remove(hints, index):
    if index is None:
        raise gr.Error("Choose a hint to remove.")
    current = _parse_hint_json(hints)
    return json.dumps([h for i, h in enumerate(current) if i != int(index)])


def _about() -> str:
    rows = ["| checkpoint | architecture | PSNR | CIEDE2000 | colorfulness | abs dCF | hints |", "|---|---|---|---|---|---|---|"]
    for e in Colorizer.available():
        m = e["metadata"]
        v = headline_metrics(m)
        f = lambda k, d=2: f"{v[k]:.{d}f}" if k in v else "-"  # noqa: E731
        rows.append(f"| {e['name']} | {m['arch']} | {f('psnr')} | {f('ciede2000')} | {f('cf_pred', 1)} | {f('dcf', 1)} | "
                    f"{'yes' if m.get('accepts_hints') else 'no'} |")
    about = ROOT / "docs" / "about.md"
    return (about.read_text() + "\n" if about.exists() else "") + "\n".join(rows)


def build() -> gr.Blocks:
    choices = _choices()
    default = DEFAULT_CHECKPOINT if any(v == DEFAULT_CHECKPOINT for _, v in choices) else (choices[0][1] if choices else None)
    flagship = POOL.get(default) if default else None
    work = flagship.working_size if flagship else 224
    temp0 = flagship.temperature if flagship else bins.DEFAULT_TEMPERATURE
    with gr.Blocks(title="Colorizer: grayscale photos to color", analytics_enabled=False) as page:
        gr.Markdown("# Colorizer\nUpload a photo, color or black-and-white: the model sees only its lightness and "
                    "guesses the colors. Click on the result to correct a color.")
        result, comp, point, touch = gr.State(None), gr.State(None), gr.State(None), gr.State(None)
        with gr.Tab("Photo", elem_id="tab-photo"):
            with gr.Row(equal_height=False):
                with gr.Column(scale=1, min_width=280):
                    inp = upload_image(label="Photo", sources=["upload", "clipboard", "webcam"], height=300)
                    refin = upload_image(label="Reference photo (optional)", sources=["upload", "clipboard"],
                                         elem_id="reference", height=200)
                    examples = sorted(str(p) for p in (ROOT / "examples").glob("*") if p.suffix.lower() in (".jpg", ".png"))
                    if examples:
                        gr.Examples(examples=[[e] for e in examples], inputs=[inp], label="Examples (click one)",
                                    examples_per_page=8, api_visibility="private", elem_id="examples")
                    ckpt = gr.Dropdown(choices=choices, value=default, label="Model (metrics on photo kinds it never saw)")
                    with gr.Accordion("Controls", open=False):
                        size = gr.Slider(64, 1024, value=work, step=32, label="Working resolution",
                                         info="The model sees the photo at about this many pixels square; the colors are "
                                              "then laid on your full-resolution photo. Higher: finer color regions, slower.")
                        temp = gr.Slider(0.05, 1.0, value=temp0, step=0.01, label="Temperature (vivid ↔ safe)",
                                         info="Classification models (the flagship): low values pick the most likely color "
                                              "per pixel (vivid, can be wrong), high values average the candidates (safer).")
                        restore = gr.Checkbox(value=bool(flagship and flagship.restore_default), label="Restore faded tone",
                                              elem_id="restore-tone",
                                              info="Old prints: lifted blacks, dull whites and dark corners brought back "
                                                   "toward the photo before colorizing. A clean photo is left nearly as it is.")
                        strength = gr.Slider(0.0, 2.0, value=1.0, step=0.05, label="Colour strength (calm ↔ vivid)",
                                             elem_id="strength",
                                             info="1 is auto: the colours as chosen for this kind of photo. Lower "
                                                  "is calmer (0: gray), higher more vivid. Your hints keep their colour.")
                        with gr.Row():
                            repair = gr.Checkbox(value=bool(flagship and flagship.repair_old), label="Repair scratches and dust",
                                                 elem_id="repair",
                                                 info="Scratches, cracks, dust and hairs found and filled before "
                                                      "colorizing. Off: the photo as it is.")
                            defects = gr.Checkbox(value=False, label="Show the defect map", elem_id="show-defects",
                                                  info="The grayscale panel marks in red what the repair finds.")
                        matched = gr.Checkbox(value=False, label="Show the matched regions", elem_id="show-matched",
                                              info="With a reference photo: the grayscale panel marks in blue the parts "
                                                   "that took its colours.")
                        hints = gr.Textbox(value="", label="Hints (JSON)", lines=2, elem_id="hints-json",
                                           info="[[x, y, [r, g, b]], ...] in the photo's pixels; the hint tools below fill it.")
                    with gr.Row():
                        go = gr.Button("Colorize", variant="primary", elem_id="colorize-btn", min_width=100)
                        every = gr.Button("Compare all models", elem_id="compare-btn", min_width=100)
                with gr.Column(scale=3, min_width=300):
                    with gr.Row(elem_id="panels"):
                        gray = gr.Image(label="Grayscale input", type="filepath", interactive=False, elem_id="panel-gray", height=340,
                                        min_width=160)
                        pred = gr.Image(label="Colorized: click to place a color hint", type="filepath",
                                        interactive=False, elem_id="panel-pred", height=340, min_width=160)
                        orig = gr.Image(label="Original", type="filepath", interactive=False, elem_id="panel-orig", height=340,
                                        min_width=160)
                    gr.Markdown("**Reference photo**: a colour photo of the same place, person or film (a later colour "
                                "photo of the house, a colour portrait of the same person). The parts of your photo it "
                                "shows take its colours; the rest is coloured as without it, and a reference that shows "
                                "something else changes nothing. Your hints win where they are.", elem_id="reference-help")
                    info = gr.Markdown("Choose a photo or click an example.", elem_id="metrics")
                    with gr.Accordion("Fix colors with hints", open=True, elem_id="hint-tools"):
                        where = gr.Markdown("Click on the colorized image where a color is wrong.", elem_id="hint-where")
                        with gr.Row():
                            picker = gr.ColorPicker(value="#808080", label="Color for the selected point",
                                                    elem_id="hint-color", min_width=120)
                            swatches = gr.Gallery(label="Suggested (the model's likely colors there)", columns=6,
                                                  height=110, allow_preview=False, elem_id="swatches", min_width=200)
                        with gr.Row():
                            auto = gr.Checkbox(value=True, label="Update after each hint", min_width=120)
                            apply = gr.Button("Apply hints", elem_id="apply-btn", min_width=90)
                            undo = gr.Button("Undo", elem_id="undo-btn", min_width=70)
                            clear = gr.Button("Clear", elem_id="clear-btn", min_width=70)
                        with gr.Row():
                            placed = gr.Dropdown(choices=[], label="Placed hints", elem_id="hint-list", min_width=160)
                            remove = gr.Button("Remove", elem_id="remove-btn", min_width=80)
                    with gr.Accordion("Touch up the repair", open=False, elem_id="touch-tools"):
                        gr.Markdown("The repair's map is in red. Paint **red** over damage it missed, **green** over "
                                    "what it should leave (the photo's own lines), then repair again.")
                        editor = gr.ImageEditor(type="numpy", label="Defect map: paint to correct it", elem_id="touch-up",
                                                sources=(), transforms=(), layers=False, height=420,
                                                brush=gr.Brush(colors=["#ff0000", "#00c000"], default_color="#ff0000",
                                                               color_mode="fixed", default_size=6),
                                                eraser=gr.Eraser(default_size=10))
                        retouch = gr.Button("Repair again with my corrections", elem_id="touch-btn")
                    slider = gr.ImageSlider(label="Before / after", type="filepath", interactive=False, height=420)
                    with gr.Row():
                        dl = gr.File(label="Colorized, full resolution", elem_id="download", min_width=160, height=90)
                        with gr.Column(min_width=160):
                            make_sheet = gr.Button("Side-by-side image (PNG)", elem_id="sheet-btn")
                            make_deck = gr.Button("Slide deck (.pptx)", elem_id="deck-btn")
                        export = gr.File(label="For slides", elem_id="export", min_width=160, height=90)
            with gr.Column(visible=False, elem_id="comparison") as comparison:
                gallery = gr.Gallery(label="All models on this photo", columns=3, height="auto", object_fit="contain",
                                     elem_id="gallery", preview=False, allow_preview=True)
                grid_file = gr.File(label="The comparison as one captioned image, for a slide (PNG)", elem_id="grid-file",
                                    height=90)
        with gr.Tab("Video", elem_id="tab-video"):
            gr.Markdown(f"Colorize a film clip: colors stay steady from frame to frame and change at a cut; the sound "
                        f"is kept. Up to **{VIDEO_SECONDS:g} s** and **{VIDEO_PIXELS:,} pixels a frame** (720p) here, "
                        f"so the shared machine stays responsive; cut a longer clip with start and end, or use "
                        f"`python -m colorizer colorize clip.mp4 -o out/` on your own machine.")
            with gr.Row(equal_height=False):
                with gr.Column(min_width=280):
                    vin = upload_video(label="Gray input", sources=["upload"], elem_id="video-in", height=300)
                    clips = sorted(str(p) for p in (ROOT / "examples").glob("*.mp4"))
                    if clips:
                        gr.Examples(examples=[[c] for c in clips], inputs=[vin], label="Example clip",
                                    api_visibility="private", elem_id="video-examples")
                    with gr.Row():
                        vstart = gr.Number(value=0, label="Start (s)", minimum=0, min_width=80)
                        vend = gr.Number(value=0, label="End (s, 0: the end)", minimum=0, min_width=80)
                    vref = upload_image(label="Reference photo (optional): a colour still or photo of the same scene",
                                        sources=["upload", "clipboard"], elem_id="video-reference", height=200)
                    vgo = gr.Button("Colorize video", variant="primary", elem_id="video-btn")
                with gr.Column(min_width=280):
                    vout = gr.Video(label="Colorized", interactive=False, elem_id="video-out", height=300)
                    vfile = gr.File(label="Download (MP4)", elem_id="video-file", height=90)
                    vinfo = gr.Markdown("", elem_id="video-info")
        with gr.Tab("Batch", elem_id="tab-batch"):
            gr.Markdown(f"A whole album at once: choose many photos, or one `.zip` of them. Each is colorized with the "
                        f"Photo tab's model, colour strength and repair switch; one download holds every result at full "
                        f"resolution and `colorize.csv` (what was done to each, or why it failed). Here: "
                        f"**{BATCH.describe()}**; a file that fails is listed with its reason and the rest go on. For "
                        f"more, `python -m colorizer colorize FOLDER -o OUT` on your own machine.")
            pairs = gr.State([])
            with gr.Row(equal_height=False):
                with gr.Column(scale=1, min_width=280):
                    bin_ = gr.File(label="Photos or a .zip", file_count="multiple", elem_id="batch-in", height=200,
                                   file_types=["image", ".zip"])
                    bgo = gr.Button("Colorize all", variant="primary", elem_id="batch-btn")
                    bzip = gr.File(label="Download: results and manifest (.zip)", elem_id="batch-zip", height=90)
                    binfo = gr.Markdown("", elem_id="batch-info")
                with gr.Column(scale=2, min_width=300):
                    bgallery = gr.Gallery(label="Results (click one: gray and colour side by side)", columns=4,
                                          height="auto", object_fit="contain", elem_id="batch-gallery", preview=False,
                                          allow_preview=False)
                    bslider = gr.ImageSlider(label="Gray / colour", type="filepath", interactive=False, height=420,
                                             elem_id="batch-slider")
        with gr.Accordion("About", open=False):
            gr.Markdown(_about())

        show_in = [inp, ckpt, size, temp, hints, restore, strength, repair, refin]
        page_in = [*show_in, defects, matched, touch]  # the page's own: the two maps and the brush's corrections
        show_out = [gray, pred, orig, slider, info, dl, result, placed, editor]
        private = dict(api_visibility="private")
        quiet = dict(api_visibility="private", show_progress="hidden")

        # The named API: hidden twins of the page's buttons, so one click computes once and the API page
        # lists just colorize, compare_all and checkpoints (the page's own events stay private).
        # The API returns what a program wants (the colorized file and the figures), not the page's previews:
        # every output file is one more download for a client.
        api_go, api_every = gr.Button(visible=False), gr.Button(visible=False)
        api_image = gr.Image(type="filepath", visible=False, label="Colorized (full resolution)")
        api_text = gr.Markdown(visible=False)
        api_mask = gr.Image(type="filepath", visible=False, label="Repair mask (white: fill)")
        api_go.click(colorize, [*show_in, api_mask], [api_image, api_text], api_name="colorize",
                     api_description="Colorize one photo, optionally with color hints (JSON list of [x, y, [r, g, b]]) or a reference photo.")
        api_every.click(compare_all, [inp, size, temp], [gallery], api_name="compare_all",
                        api_description="Every shipped model on the same photo, captioned with its metrics.")
        api_video = gr.Button(visible=False)
        api_video_out = gr.Video(visible=False, label="Colorized clip")
        api_video.click(colorize_video, [vin, ckpt, vstart, vend, vref], [api_video_out, api_text], api_name="colorize_video",
                        api_description="Colorize a video clip (at most 20 s and 720p here), colors steady across frames.")
        vgo.click(_colorize_video_page, [vin, ckpt, vstart, vend, vref], [vout, vfile, vinfo], **private)
        api_batch = gr.Button(visible=False)
        api_batch.click(colorize_batch, [bin_, ckpt, strength, repair], [bzip, api_text], api_name="colorize_batch",
                        api_description="Colorize many photos (or .zip archives of photos) into one .zip with a manifest.")
        bgo.click(_batch_page, [bin_, ckpt, strength, repair], [bgallery, bzip, binfo, pairs, bslider], **private)
        bgallery.select(_batch_pick, [pairs], [bslider], **private)

        go.click(_show, page_in, show_out, **private)
        inp.change(lambda: ("", None), None, [hints, touch], **quiet).then(_show, page_in, show_out, **private)
        retouch.click(_touch_up, [editor, result, *page_in], [*show_out, touch], **private)
        every.click(_compare_page, [inp, size, temp], [comparison, gallery, grid_file, comp], **private)
        make_sheet.click(_sheet, [result], [export], **private)
        make_deck.click(_deck, [result, comp], [export], **private)

        pred.select(_pick, [result, ckpt, size, hints], [point, picker, swatches, where], **private)

        def refresh(on, shown, image, checkpoint, size, temperature, hints, restore, strength, repair, reference, defect_map,
                    matched_map, touched):
            """Re-colorize after a hint edit, unless the visitor turned that off (slow machines) or the hints
            are what is already shown."""
            if not on or (shown and _parse_hint_json(hints) == shown["hints"]):
                return tuple(gr.skip() for _ in show_out)
            return _show(image, checkpoint, size, temperature, hints, restore, strength, repair, reference, defect_map,
                         matched_map, touched)

        def then_show(event):
            event.then(refresh, [auto, result, *page_in], show_out, **private)

        then_show(picker.change(_add_hint, [point, picker, hints], [hints], trigger_mode="always_last", **quiet))
        then_show(swatches.select(_swatch, [point, hints], [hints, picker], **quiet))
        then_show(undo.click(_undo, [hints], [hints], **quiet))
        then_show(clear.click(lambda: "", None, [hints], **quiet))
        then_show(remove.click(_remove, [hints, placed], [hints], **quiet))
        apply.click(_show, page_in, show_out, **private)
        for switch in (repair, defects, matched, refin):  # a photo on the page is shown again with the switch's effect
            switch.change(_show, page_in, show_out, **private)

        list_api = gr.JSON(visible=False)
        page.load(lambda: [e["name"] for e in Colorizer.available()], None, list_api, api_name="checkpoints",
                  api_description="Names of the shipped checkpoints, the default first.")
    page.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return page


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    ap.add_argument("--share", action="store_true", help="a public gradio.live link (needs internet)")
    ap.add_argument("--mcp", action="store_true", help="also serve the colorize endpoint as an MCP tool")
    args = ap.parse_args(argv)
    POOL.get(DEFAULT_CHECKPOINT)  # load the default once, before the first request
    build().launch(server_name=args.host, server_port=args.port, share=args.share, mcp_server=args.mcp,
                   max_file_size=MAX_UPLOAD, show_error=True, footer_links=["api"], css=CSS)


if __name__ == "__main__":
    main()
