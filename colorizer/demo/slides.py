"""A slide deck of a result, for presentations: python-pptx (a well-kept library that writes real
PowerPoint files, which LibreOffice, Keynote and Google Slides open) rather than hand-made XML.

    write_deck(path, title="Colorizer", results=[SlideImages(...)], comparison=("grid.jpg", "caption"))

Slides: a title slide; per result, gray | colorized | original side by side with captions, the model's
name and the metrics; the all-models comparison grid when one was made. 16:9, images fitted, no
stretching.
"""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field

from PIL import Image

WIDE, HIGH = 13.333, 7.5  # inches, 16:9


@dataclass
class SlideImages:
    panels: list[tuple[str, str]]          # [(image path, caption)], left to right
    title: str
    notes: list[str] = field(default_factory=list)  # lines under the images (metrics, model, settings)


def write_deck(path: str | os.PathLike, title: str, results: list[SlideImages],
               comparison: tuple[str, str] | None = None, subtitle: str = "") -> None:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDE), Inches(HIGH)
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = title
    first.placeholders[1].text = subtitle or f"Colorized {datetime.date.today():%d %B %Y}"

    def add_text(slide, text: str, top: float, size: int, left: float = 0.5, width: float = WIDE - 1.0,
                 height: float = 0.6, center: bool = False) -> None:
        from pptx.enum.text import PP_ALIGN
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        tf = box.text_frame
        tf.word_wrap = True
        for i, line in enumerate(text.split("\n")):
            para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            para.text = line
            para.font.size = Pt(size)
            if center:
                para.alignment = PP_ALIGN.CENTER

    def add_fitted(slide, image: str, left: float, top: float, width: float, height: float) -> float:
        """Place an image inside the box, aspect kept, centred; returns its bottom edge (inches)."""
        with Image.open(image) as im:
            w, h = im.size
        k = min(width / w, height / h)
        pw, ph = w * k, h * k
        slide.shapes.add_picture(image, Inches(left + (width - pw) / 2), Inches(top + (height - ph) / 2),
                                 Inches(pw), Inches(ph))
        return top + (height + ph) / 2

    blank = prs.slide_layouts[6]
    for r in results:
        slide = prs.slides.add_slide(blank)
        add_text(slide, r.title, 0.3, 28)
        n = max(1, len(r.panels))
        gap, top, box_h = 0.25, 1.2, 4.6
        box_w = (WIDE - 1.0 - gap * (n - 1)) / n
        for i, (image, caption) in enumerate(r.panels):
            left = 0.5 + i * (box_w + gap)
            bottom = add_fitted(slide, image, left, top, box_w, box_h)
            add_text(slide, caption, bottom + 0.05, 16, left=left, width=box_w, height=0.4, center=True)
        if r.notes:
            add_text(slide, "\n".join(r.notes), 6.35, 14, height=1.0)
    if comparison:
        slide = prs.slides.add_slide(blank)
        add_text(slide, comparison[1], 0.3, 28)
        add_fitted(slide, comparison[0], 0.5, 1.1, WIDE - 1.0, HIGH - 1.4)
    prs.save(str(path))
