"""Shared fixtures: random-weight checkpoints for every registered architecture, tiny image folders.

Nothing here needs ../shared or network access."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
torch.set_num_threads(min(2, os.cpu_count() or 1))
# ONNX exports made by Colorizer.load (the CPU default backend) go to a throwaway cache, not ~/.cache
os.environ["COLORIZER_CACHE"] = tempfile.mkdtemp(prefix="colorizer-test-cache-")

from colorizer import create_model, list_models  # noqa: E402
from colorizer.checkpoints import save_checkpoint  # noqa: E402


def small_kwargs(name: str) -> dict:
    """Shrunken settings so tests stay fast; every architecture still runs its real code."""
    return {"inception-fusion": {"num_classes": 3, "width": 8}, "conv-autoencoder": {"width": 8},
            "gray2rgb-cnn": {"channels": 8, "hidden": 64}, "effnet-unet": {"decoder_channels": [32, 24, 16], "hints": True},
            "ensemble": {"members": [{"arch": "effnet-unet", "kwargs": {"decoder_channels": [32, 24, 16], "hints": True}},
                                     {"arch": "effnet-unet", "kwargs": {"decoder_channels": [24, 16, 16]}}]}}.get(name, {})


@pytest.fixture(scope="session")
def weights_dir(tmp_path_factory) -> Path:
    """weights/-like folder holding one random-weight checkpoint per architecture (effnet-unet the default)."""
    d = tmp_path_factory.mktemp("weights")
    torch.manual_seed(0)
    for name in list_models():
        model = create_model(name, **small_kwargs(name))
        save_checkpoint(d / f"{name}.safetensors", model, {"working_size": 64, "objective": "test",
                                                            "val_metrics": {"psnr": 20.0}})
    return d


@pytest.fixture
def colorizer_weights(weights_dir, monkeypatch) -> Path:
    import colorizer.inference as inf
    monkeypatch.setattr(inf, "WEIGHTS_DIR", weights_dir)
    monkeypatch.setenv("COLORIZER_WEIGHTS", str(weights_dir))
    return weights_dir


def synthetic_photo(h: int = 48, w: int = 64, seed: int = 0) -> np.ndarray:
    """A colorful uint8 RGB image: smooth gradients plus blocks of saturated color."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x / max(1, w - 1), y / max(1, h - 1), 1 - x / max(1, w - 1)], axis=-1) * 200 + 30
    for _ in range(3):
        y0, x0 = rng.integers(0, max(1, h - 8)), rng.integers(0, max(1, w - 8))
        img[y0:y0 + 8, x0:x0 + 8] = rng.integers(0, 256, 3)
    return img.clip(0, 255).astype(np.uint8)


@pytest.fixture
def image_folder(tmp_path) -> Path:
    """Two 'classes' of small color photos, plus one gray photo (to be skipped) and one corrupt file."""
    root = tmp_path / "data"
    for c, n in (("a", 6), ("b", 6)):
        (root / "src" / c).mkdir(parents=True)
        for i in range(n):
            Image.fromarray(synthetic_photo(40, 48, seed=i + (100 if c == "b" else 0))).save(root / "src" / c / f"{i}.png")
    Image.fromarray(np.full((40, 48), 128, np.uint8)).convert("RGB").save(root / "src" / "a" / "gray.jpg")
    (root / "src" / "b" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not a jpeg")
    return root
