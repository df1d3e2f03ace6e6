"""Gradio app: upload a photo, pick a model, see gray / colorized / original. UI wiring only; all image
work goes through colorizer.Colorizer. Run: python app.py [--host H] [--port P] [--share] [--mcp]."""
from __future__ import annotations

import argparse
import os
import tempfile
import uuid

# Nothing goes into the working directory: Gradio's upload and example caches live in a temp folder.
_TMP = tempfile.mkdtemp(prefix="colorizer-app-")
os.environ.setdefault("GRADIO_TEMP_DIR", os.path.join(_TMP, "uploads"))
os.environ.setdefault("GRADIO_EXAMPLES_CACHE", os.path.join(_TMP, "examples"))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from colorizer import ColorizerError, bins  # noqa: E402
from colorizer.imageio import encode_image, output_format  # noqa: E402
from colorizer.inference import DEFAULT_CHECKPOINT, Colorizer, ColorizerPool  # noqa: E402
from colorizer.presentation import compare, headline_metrics, metrics_label, side_by_side  # noqa: E402

ROOT = Path(__file__).resolve().parent
MAX_UPLOAD = os.environ.get("COLORIZER_MAX_UPLOAD", "25mb")             # refused by the server, undecoded
MAX_PIXELS = int(os.environ.get("COLORIZER_MAX_PIXELS", "50000000"))    # refused from the header, undecoded
CONCURRENCY = int(os.environ.get("COLORIZER_CONCURRENCY", "2"))  # computed at once (2 cores); the rest wait
QUEUE_SIZE = int(os.environ.get("COLORIZER_QUEUE_SIZE", "32"))   # past this, requests are refused: queue full
PREVIEW = int(os.environ.get("COLORIZER_PREVIEW", "1600"))  # long side of the on-page panels, in pixels
POOL = ColorizerPool()


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
        out.append((f"{e['name']}{tag} [{m['arch']}, {m.get('objective', '?')}]" + (f" · {nums}" if nums else ""), e["name"]))
    return out


def _tag(*images, request: str):
    """Stamp a per-request id into each output's PNG text. Gradio caches outputs under a hash of their
    bytes, so two identical results computed at once would be written to, and served from, the same
    file concurrently (seen under load as truncated downloads). Unique bytes, unique files."""
    for img in images:
        if img is not None:
            img.info["colorizer-request"] = request
    return images


def _preview(img):
    """The on-page copy: a browser shows a 12 MP photo no better than a 1600 px one, and Gradio encodes
    every panel as PNG (seconds at full size). Full resolution is in the download."""
    if img is None or max(img.size) <= PREVIEW:
        return img
    small = img.copy()
    small.thumbnail((PREVIEW, PREVIEW))
    return small


def _previews(r) -> None:
    """Swap a result's three images for their on-page previews."""
    r.gray, r.color, r.original = _preview(r.gray), _preview(r.color), _preview(r.original)


def _save(img, name: str, fmt: str = "PNG") -> str:
    """Write a download into its own temp folder (unique path per request), PNG or JPEG."""
    path = os.path.join(tempfile.mkdtemp(dir=_TMP), f"{name}.{'jpg' if fmt == 'JPEG' else 'png'}")
    encode_image(img, path, fmt)
    return path


def _error(exc: ColorizerError, image: str) -> gr.Error:
    """A readable message that names the user's file, not the server's temp path."""
    return gr.Error(str(exc).replace(str(image), Path(image).name))


def colorize(image: str | None, checkpoint: str, size: int, temperature: float):
    """Colorize one photo. Returns gray, prediction, original (or None) as previews, slider pair, metrics
    markdown, the full-resolution download (JPEG for JPEG photos, else PNG), side-by-side PNG."""
    if not image:
        raise gr.Error("Upload, paste or capture a photo first.")
    try:
        c = POOL.get(checkpoint or DEFAULT_CHECKPOINT)
        r = c.run(image, size=int(size), temperature=float(temperature), max_pixels=MAX_PIXELS)
    except ColorizerError as exc:
        raise _error(exc, image) from None
    w, h = r.color.size
    lines = [f"**{c.name}** ({c.arch}, {c.backend}) · {w}x{h} · working size {int(size)} · {r.seconds:.2f} s"]
    full = r.color
    _previews(r)
    panels = [(r.gray, "grayscale input"), (r.color, f"colorized ({c.name})")]
    if r.original is not None:
        m = compare(r.color, r.original)  # on the previews: the same figures to a decimal, and fast at 12 MP
        lines.append(f"Against the original: PSNR **{m['psnr']:.2f} dB** · CIEDE2000 **{m['ciede2000']:.2f}** · "
                     f"colorfulness **{m['cf_pred']:.1f}** (original {m['cf_true']:.1f})")
        panels.append((r.original, "original"))
    else:
        lines.append("The upload was grayscale, so there is no original to compare with.")
    sheet = side_by_side(panels)
    _tag(r.gray, r.color, r.original, sheet, request=uuid.uuid4().hex)
    return (r.gray, r.color, r.original, (r.gray, r.color), "\n\n".join(lines),
            _save(full, "colorized", output_format(image, full.mode == "RGBA")), _save(sheet, "comparison"))


def compare_all(image: str | None, size: int, temperature: float, progress=gr.Progress()):
    """The same photo through every shipped checkpoint: [(image, caption)]."""
    if not image:
        raise gr.Error("Upload, paste or capture a photo first.")
    entries = Colorizer.available()
    gallery = []
    for e in progress.tqdm(entries, desc="models"):
        try:
            c = POOL.get(e["name"])
            r = c.run(image, size=int(size), temperature=float(temperature), max_pixels=MAX_PIXELS)
        except ColorizerError as exc:
            raise _error(exc, image) from None
        _previews(r)
        _tag(r.gray, r.color, r.original, request=uuid.uuid4().hex)
        if not gallery:
            gallery.append((r.original or r.gray, "original" if r.original else "grayscale input"))
        cap = f"{e['name']} ({e['metadata']['arch']})"
        if r.original is not None:
            m = compare(r.color, r.original)
            cap += f" · PSNR {m['psnr']:.1f} · CIEDE {m['ciede2000']:.1f} · CF {m['cf_pred']:.0f}"
        gallery.append((r.color, cap))
    return gallery


def _about() -> str:
    rows = ["| checkpoint | architecture | objective | PSNR | CIEDE2000 | colorfulness | abs dCF |", "|---|---|---|---|---|---|---|"]
    for e in Colorizer.available():
        m = e["metadata"]
        v = headline_metrics(m)
        f = lambda k, d=2: f"{v[k]:.{d}f}" if k in v else "-"  # noqa: E731
        rows.append(f"| {e['name']} | {m['arch']} | {m.get('objective', '?')} | {f('psnr')} | {f('ciede2000')} | "
                    f"{f('cf_pred', 1)} | {f('dcf', 1)} |")
    return (ROOT / "docs" / "about.md").read_text() + "\n" + "\n".join(rows) if (ROOT / "docs" / "about.md").exists() \
        else "\n".join(rows)


def build() -> gr.Blocks:
    choices = _choices()
    default = DEFAULT_CHECKPOINT if any(v == DEFAULT_CHECKPOINT for _, v in choices) else (choices[0][1] if choices else None)
    work = POOL.get(default).working_size if default else 224
    with gr.Blocks(title="Colorizer: grayscale photos to color", analytics_enabled=False) as demo:
        gr.Markdown("# Colorizer\nUpload a photo (color or black-and-white). The model sees only its lightness and "
                    "guesses the colors; if your photo had color, you can compare the guess with the truth.")
        with gr.Row():
            with gr.Column(scale=1):
                inp = upload_image(label="Photo",
                                   sources=["upload", "clipboard", "webcam"], height=320)
                ckpt = gr.Dropdown(choices=choices, value=default, label="Model (architecture, validation metrics)")
                with gr.Accordion("Controls", open=False):
                    size = gr.Slider(64, 1024, value=work, step=32, label="Working resolution",
                                     info="The model sees the photo at about this many pixels square; the colors are "
                                          "then laid on your full-resolution photo. Higher: finer color regions, slower.")
                    temp = gr.Slider(0.05, 1.0, value=POOL.get(default).temperature if default else bins.DEFAULT_TEMPERATURE, step=0.01, label="Temperature (vivid ↔ safe)",
                                     info="Only for classification models (the flagship): low values pick the most likely "
                                          "color per pixel (vivid, can be wrong), high values average the candidates "
                                          "(safer, browner).")
                with gr.Row():
                    go = gr.Button("Colorize", variant="primary", elem_id="colorize-btn")
                    every = gr.Button("Compare all models", elem_id="compare-btn")
            with gr.Column(scale=2):
                with gr.Row():
                    gray = gr.Image(label="Grayscale input", type="pil", format="png", interactive=False, elem_id="panel-gray")
                    pred = gr.Image(label="Colorized", type="pil", format="png", interactive=False, elem_id="panel-pred")
                    orig = gr.Image(label="Original", type="pil", format="png", interactive=False, elem_id="panel-orig")
                info = gr.Markdown(elem_id="metrics")
                slider = gr.ImageSlider(label="Before / after", type="pil", format="png", interactive=False)
                with gr.Row():
                    dl = gr.File(label="Colorized image (full resolution; JPEG photos stay JPEG)")
                    sheet = gr.File(label="Side-by-side for slides (PNG)")
        gallery = gr.Gallery(label="All models on this photo", columns=3, height="auto", format="png", elem_id="gallery")
        examples = sorted(str(p) for p in (ROOT / "examples").glob("*") if p.suffix.lower() in (".jpg", ".png"))
        if examples and default:
            gr.Examples(examples=[[e, default, work, POOL.get(default).temperature] for e in examples],
                        inputs=[inp, ckpt, size, temp], outputs=[gray, pred, orig, slider, info, dl, sheet],
                        fn=colorize, cache_examples=True, api_name=False, label="Examples (scikit-image sample photos)")
        with gr.Accordion("About", open=False):
            gr.Markdown(_about())
        go.click(colorize, [inp, ckpt, size, temp], [gray, pred, orig, slider, info, dl, sheet], api_name="colorize")
        every.click(compare_all, [inp, size, temp], [gallery], api_name="compare_all")
        list_api = gr.JSON(visible=False)
        demo.load(lambda: [e["name"] for e in Colorizer.available()], None, list_api, api_name="checkpoints")
    demo.queue(max_size=QUEUE_SIZE, default_concurrency_limit=CONCURRENCY)
    return demo


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    ap.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    ap.add_argument("--share", action="store_true", help="a public gradio.live link (needs internet)")
    ap.add_argument("--mcp", action="store_true", help="also serve the colorize endpoint as an MCP tool")
    args = ap.parse_args(argv)
    POOL.get(DEFAULT_CHECKPOINT)  # load the default once, before the first request
    build().launch(server_name=args.host, server_port=args.port, share=args.share, mcp_server=args.mcp,
                   max_file_size=MAX_UPLOAD, show_error=True, footer_links=["api"])


if __name__ == "__main__":
    main()
