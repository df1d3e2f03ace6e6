"""Pictures and numbers for people: a captioned side-by-side image for slides, and the comparison of a
prediction with its original. Used by the app; kept here so the app stays UI wiring only."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .metrics import ciede2000, colorfulness, psnr


def compare(pred: Image.Image, original: Image.Image) -> dict:
    """PSNR, mean CIEDE2000 and colorfulness of prediction vs original (same size, RGB)."""
    p = np.asarray(pred.convert("RGB"))
    o = np.asarray(original.convert("RGB"))
    return {"psnr": psnr(p, o), "ciede2000": ciede2000(p, o), "cf_pred": colorfulness(p), "cf_true": colorfulness(o)}


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
             (("psnr", "PSNR", 2), ("ciede2000", "CIEDE", 2), ("cf_pred", "CF", 1)) if isinstance(v.get(k), (int, float))]
    return " · ".join(parts)


def grid(rows: list[list[Image.Image]], captions: list[str], tile: int = 192, gap: int = 8) -> Image.Image:
    """Tiles in rows and columns under one caption per column (lines split on '\\n'), on white: the
    evaluation's sample grid and the app's model comparison, ready for a slide. Every tile is scaled to
    `tile` pixels high, at the first tile's aspect ratio."""
    if not rows or not rows[0]:
        raise ValueError("grid needs at least one tile")
    first = rows[0][0]
    tw = max(1, round(tile * first.width / first.height))
    font = ImageFont.load_default(size=max(12, tile // 13))
    lines = max(len(c.split("\n")) for c in captions)
    head = int(font.size * 1.3 * lines) + gap
    cols = max(len(r) for r in rows)
    sheet = Image.new("RGB", (gap + cols * (tw + gap), head + gap + len(rows) * (tile + gap)), "white")
    draw = ImageDraw.Draw(sheet)
    for j, caption in enumerate(captions[:cols]):
        x = gap + j * (tw + gap)
        for k, line in enumerate(caption.split("\n")):
            w = draw.textlength(line, font=font)
            draw.text((x + max(0, (tw - w) / 2), gap + k * font.size * 1.3), line, fill="black", font=font)
    for i, row in enumerate(rows):
        for j, img in enumerate(row):
            sheet.paste(img.convert("RGB").resize((tw, tile), Image.LANCZOS), (gap + j * (tw + gap), head + gap + i * (tile + gap)))
    return sheet
