"""The colour-strength control (calm to vivid) and toned black-and-white prints, through the library, the
CLI and the app's page."""
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from colorizer import ColorizerError
from colorizer.color import rgb_to_lab
from conftest import ROOT, synthetic_photo


def _chroma(rgb: np.ndarray) -> np.ndarray:
    import torch
    lab = rgb_to_lab(torch.from_numpy(rgb.astype(np.float32)).permute(2, 0, 1) / 255)
    return np.hypot(lab[1].numpy(), lab[2].numpy())


def _sepia(h: int = 90, w: int = 120) -> np.ndarray:
    gray = np.asarray(Image.fromarray(synthetic_photo(h, w)).convert("L")).astype(np.float32)
    return (gray[..., None] * np.array([1.0, 0.85, 0.65])).clip(0, 255).astype(np.uint8)


def test_strength_scales_the_guessed_chroma_and_keeps_a_hints_colour(colorizer_weights):
    from colorizer import Colorizer
    c = Colorizer.load("effnet-unet", backend="torch")
    photo = synthetic_photo(64, 80)
    auto, one = c.colorize(photo), c.colorize(photo, strength=1.0)
    assert np.array_equal(np.asarray(auto), np.asarray(one))  # None is "auto", the colours as decoded
    calm, vivid = (np.asarray(c.colorize(photo, strength=s)) for s in (0.0, 2.0))
    assert _chroma(calm).max() < 1.0  # 0: gray
    assert _chroma(vivid).mean() > _chroma(np.asarray(auto)).mean()
    hint = [[40, 32, [0, 0, 255]]]  # a hint keeps its colour at any strength
    with_hint = [np.asarray(c.colorize(photo, hints=hint, strength=s)) for s in (0.0, 1.0)]
    assert abs(_chroma(with_hint[0])[32, 40] - _chroma(with_hint[1])[32, 40]) < 3
    assert c.run(photo, strength=0.5).strength == 0.5 and c.run(photo).strength == 1.0


@pytest.mark.parametrize("bad", [-0.1, 2.5, float("nan"), "loud"])
def test_a_bad_strength_is_refused_clearly(colorizer_weights, bad):
    from colorizer import Colorizer
    c = Colorizer.load("effnet-unet", backend="torch")
    with pytest.raises(ColorizerError, match="colour strength"):
        c.colorize(synthetic_photo(32, 32), strength=bad)


def test_cli_strength(weights_dir, tmp_path):
    src = tmp_path / "p.png"
    Image.fromarray(synthetic_photo(40, 48)).save(src)
    env = {"COLORIZER_WEIGHTS": str(weights_dir), "PATH": "/usr/bin:/bin", "COLORIZER_BACKEND": "torch"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "colorizer", *args], capture_output=True, text=True, cwd=ROOT,
                              env={**__import__("os").environ, **env})
    ok = cli("colorize", str(src), "-o", str(tmp_path / "out"), "--strength", "0", "--quiet")
    assert ok.returncode == 0, ok.stderr
    assert _chroma(np.asarray(Image.open(tmp_path / "out" / "p_colorized.png").convert("RGB"))).max() < 1.0
    bad = cli("colorize", str(src), "-o", str(tmp_path / "out2"), "--strength", "loud")
    assert bad.returncode == 2 and "--strength" in bad.stderr and "Traceback" not in bad.stderr


def test_a_toned_print_has_no_original_and_the_page_says_so(colorizer_weights, tmp_path):
    """A sepia print is black and white: run() gives no original and marks it toned, and the app's summary
    says "toned black-and-white print" instead of scoring the colours against the sepia."""
    from colorizer import Colorizer
    from colorizer.demo import page as demo
    c = Colorizer.load("effnet-unet", backend="torch")
    r = c.run(_sepia())
    assert r.original is None and r.toned
    photo = tmp_path / "sepia.png"
    Image.fromarray(_sepia()).save(photo)
    state = demo.render(c, str(photo), 64, 0.38, [], 100, str(tmp_path), demo.PhotoCache(), 10_000_000,
                        strength=0.5).as_state()
    text = demo.summary(state)
    assert "toned black-and-white print" in text and "PSNR" not in text and "colour strength 0.5" in text
    assert state["original"] is None and not state["metrics"]
    colour = c.run(synthetic_photo(90, 120))
    assert colour.original is not None and not colour.toned
