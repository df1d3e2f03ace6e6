"""colorizer.demo.page and colorizer.demo.slides: what the app writes per request, the sheet, the deck, the grid."""
import numpy as np
import pytest
from PIL import Image

from conftest import synthetic_photo


@pytest.fixture
def rendered(colorizer_weights, tmp_path):
    from colorizer import Colorizer
    from colorizer.demo import page as demo
    photo = tmp_path / "p.jpg"
    Image.fromarray(synthetic_photo(90, 120)).save(photo)
    c = Colorizer.load("effnet-unet", backend="torch")
    r = demo.render(c, str(photo), 64, 0.38, [[60, 45, [0, 0, 255]]], 100, str(tmp_path), demo.PhotoCache(),
                    10_000_000).as_state()
    return r


def test_render_writes_each_image_once_as_jpeg_previews(rendered):
    r = rendered
    assert Image.open(r["full"]).size == (120, 90) and Image.open(r["full"]).format == "JPEG"
    for key in ("gray", "color", "color_marked", "original"):
        im = Image.open(r[key])
        assert im.format == "JPEG" and max(im.size) == 100  # on-page previews at the preview side
    assert r["color_marked"] != r["color"]  # the hint dot is drawn on a copy; the slider and sheet stay clean
    assert r["hints"] == [[60, 45, [0, 0, 255]]] and set(r["metrics"]) >= {"psnr", "ciede2000"}
    from colorizer.demo import page as demo
    assert "1 hint" in demo.summary(r) and "PSNR" in demo.summary(r)


def test_sheet_and_deck_open_and_hold_the_images(rendered, tmp_path):
    from pptx import Presentation

    from colorizer.demo import page as demo
    sheet = Image.open(demo.sheet(rendered))
    assert sheet.format == "PNG" and sheet.width > sheet.height
    comp = demo.comparison([("effnet-unet", "effnet-unet", Image.open(rendered["color"])),
                            ("resnet-mid", "resnet-mid", Image.open(rendered["gray"]))],
                           (Image.open(rendered["original"]), "original"), str(tmp_path))
    assert len(comp["tiles"]) == 3 and "PSNR" in comp["tiles"][1][1]
    grid = Image.open(comp["grid"])
    assert grid.width > 2 * 100 and grid.format == "PNG"
    path = demo.deck(rendered, comp, str(tmp_path))
    prs = Presentation(path)
    slides = list(prs.slides)
    assert len(slides) == 3  # title, the result, the comparison
    pictures = [sh for sh in slides[1].shapes if sh.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 3  # gray | colorized | original
    text = " ".join(sh.text_frame.text for sh in slides[1].shapes if sh.has_text_frame)
    assert "effnet-unet" in text and "PSNR" in text and "original" in text
    assert any(sh.shape_type == 13 for sh in slides[2].shapes)
    for pic in pictures:  # fitted, not stretched: the aspect ratio of the 120x90 photo
        assert abs(pic.width / pic.height - 120 / 90) < 0.05


def test_clicks_map_from_preview_to_full_resolution():
    from colorizer.demo import page as demo
    assert demo.preview_to_full((50, 25), (100, 50), (1000, 500)) == (500, 250)
    assert demo.preview_to_full((100, 50), (100, 50), (1000, 500)) == (999, 499)
    assert demo.hex_to_rgb("#0000ff") == [0, 0, 255] and demo.hex_to_rgb("rgba(1, 2, 3, 1)") == [1, 2, 3]


def test_photo_cache_decodes_once(tmp_path):
    from colorizer.demo import page as demo
    photo = tmp_path / "p.png"
    Image.fromarray(synthetic_photo(20, 30)).save(photo)
    cache = demo.PhotoCache(size=1)
    a = cache.get(str(photo), 10_000_000, 64)
    assert cache.get(str(photo), 10_000_000, 64) is a
    other = tmp_path / "q.png"
    Image.fromarray(synthetic_photo(20, 30, seed=1)).save(other)
    cache.get(str(other), 10_000_000, 64)
    assert cache.get(str(photo), 10_000_000, 64) is not a  # evicted at size 1
    assert np.array_equal(cache.get(str(photo), 10_000_000, 64).pixels, a.pixels)
