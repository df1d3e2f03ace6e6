"""Pictures and numbers for people: a captioned side-by-side image for slides, and the comparison of a
prediction with its original. Used by the app; kept here so the app stays UI wiring only."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..evaluation.figures import grid, line_plot  # noqa: F401 (the app and scripts draw with them too)
from ..evaluation.metrics import image_metrics


def compare(pred: Image.Image, original: Image.Image) -> dict:
    """PSNR, mean CIEDE2000, wash (regions painted a confident wrong hue) and colourfulness of prediction vs
    original (same size, RGB), as `evaluate` scores them."""
    m = image_metrics(np.asarray(pred.convert("RGB")), np.asarray(original.convert("RGB")))
    return {k: m[k] for k in ("psnr", "ciede2000", "wash", "cf_pred", "cf_true")}


def side_by_side(panels: list[tuple[Image.Image, str]], height: int = 480, gap: int = 12) -> Image.Image:
    """Panels scaled to one height, captions underneath, on white: ready to paste into a slide."""
    font = ImageFont.load_default(size=max(14, height // 22))
    scaled = []
    for img, caption in panels:
        img = img.convert("RGBA")
        w = max(1, round(img.width * height / img.height))
        flat = Image.new("RGB", (w, height), "white")
        small = img.resize((w, height), Image.LANCZOS)
        flat.paste(small, mask=small.getchannel("A"))
        scaled.append((flat, caption))
    caption_h = int(font.size * 1.8)
    total_w = sum(i.width for i, _ in scaled) + gap * (len(scaled) + 1)
    sheet = Image.new("RGB", (total_w, height + caption_h + 2 * gap), "white")
    draw = ImageDraw.Draw(sheet)
    x = gap
    for img, caption in scaled:
        sheet.paste(img, (x, gap))
        tw = draw.textlength(caption, font=font)
        draw.text((x + (img.width - tw) / 2, gap + height + font.size * 0.35), caption, fill="black", font=font)
        x += img.width + gap
    return sheet


def headline_metrics(metadata: dict) -> dict:
    """The numbers to show for a checkpoint: its `evaluate` row when recorded, else its training validation."""
    return metadata.get("eval") or metadata.get("val_metrics") or {}


def metrics_label(metadata: dict) -> str:
    """'PSNR 23.10 · CIEDE 9.80 · CF 31.0' from whatever of those a checkpoint records."""
    v = headline_metrics(metadata)
    parts = [f"{label} {v[k]:.{d}f}" for k, label, d in
             (("psnr", "PSNR", 2), ("ciede2000", "CIEDE", 2), ("wash", "wash", 3), ("cf_pred", "CF", 1))
             if isinstance(v.get(k), (int, float))]
    return " · ".join(parts)
