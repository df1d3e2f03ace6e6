"""Figures drawn with Pillow alone (so the evaluation needs no plotting library): the captioned grid of
tiles that evaluation writes beside its tables and the app uses for its model comparison, and a small line
chart."""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont


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


def line_plot(series: dict[str, list[tuple[float, float]]], xlabel: str, ylabel: str, log_x: bool = False,
              size: tuple[int, int] = (640, 400)) -> Image.Image:
    """A small line chart on white (one line per series, points marked, legend), drawn with Pillow so the
    evaluation needs no plotting library. log_x places x at log(1 + x), so 0 and 100 both fit."""
    import math
    w, h = size
    left, right, top, bottom = 64, 16, 16, 56
    font = ImageFont.load_default(size=13)
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    pts = [p for s in series.values() for p in s]
    if not pts:
        raise ValueError("line_plot needs at least one point")
    fx = (lambda v: math.log1p(v)) if log_x else (lambda v: v)
    xs, ys = [fx(x) for x, _ in pts], [y for _, y in pts]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    pad = (max(ys) - min(ys)) * 0.08 or 1.0
    y0, y1 = min(ys) - pad, max(ys) + pad
    px = lambda x: left + (fx(x) - x0) / (x1 - x0) * (w - left - right)  # noqa: E731
    py = lambda y: top + (y1 - y) / (y1 - y0) * (h - top - bottom)  # noqa: E731
    draw.rectangle([left, top, w - right, h - bottom], outline="#888")
    for x in sorted({x for x, _ in pts}):
        draw.line([px(x), h - bottom, px(x), h - bottom + 4], fill="#888")
        label = f"{x:g}"
        draw.text((px(x) - draw.textlength(label, font=font) / 2, h - bottom + 6), label, fill="black", font=font)
    for k in range(5):
        y = y0 + (y1 - y0) * k / 4
        draw.line([left - 4, py(y), left, py(y)], fill="#888")
        draw.text((4, py(y) - 7), f"{y:.1f}", fill="black", font=font)
    draw.text(((w - draw.textlength(xlabel, font=font)) / 2, h - 22), xlabel, fill="black", font=font)
    draw.text((left + 6, top + 4), ylabel, fill="black", font=font)
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    for i, (name, s) in enumerate(series.items()):
        color = palette[i % len(palette)]
        line = [(px(x), py(y)) for x, y in sorted(s)]
        if len(line) > 1:
            draw.line(line, fill=color, width=2)
        for x, y in line:
            draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=color)
        ly = top + 22 + i * 16
        draw.line([w - right - 190, ly + 7, w - right - 170, ly + 7], fill=color, width=2)
        draw.text((w - right - 165, ly), name, fill="black", font=font)
    return img
