"""Hostile input: a few hundred mutated image files thrown at Colorizer.colorize and at the CLI.

Nothing may crash the process or hang: every call returns an image or raises ColorizerError with a
readable message, within TIME_LIMIT seconds, and the process's memory stays under MEMORY_LIMIT_MB.
"""
import io
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from colorizer import ColorizerError
from colorizer.inference import Colorizer

from conftest import ROOT, synthetic_photo

TIME_LIMIT = 10.0        # seconds for any single malformed file
MEMORY_LIMIT_MB = 4000   # peak RSS of the test process
FORMATS = [("PNG", {}), ("JPEG", {"quality": 85}), ("GIF", {}), ("WEBP", {}), ("BMP", {}), ("TIFF", {}),
           ("PNG", {"bits": 16})]


def _seed_files() -> list[bytes]:
    out = []
    for k, (fmt, kw) in enumerate(FORMATS):
        img = Image.fromarray(synthetic_photo(48, 64, k))
        buf = io.BytesIO()
        if kw.get("bits") == 16:
            Image.fromarray((np.asarray(img.convert("L")).astype(np.uint16) * 257)).save(buf, format="PNG")
        else:
            img.save(buf, format=fmt, **kw)
        out.append(buf.getvalue())
    return out


def _mutate(data: bytes, rng: np.random.Generator) -> bytes:
    b = bytearray(data)
    kind = rng.integers(0, 6)
    if kind == 0:  # flip random bytes
        for i in rng.integers(0, len(b), size=rng.integers(1, 20)):
            b[i] = rng.integers(0, 256)
    elif kind == 1:  # truncate
        b = b[: rng.integers(0, len(b))]
    elif kind == 2:  # corrupt the header
        for i in range(min(len(b), 64)):
            if rng.random() < 0.2:
                b[i] = rng.integers(0, 256)
    elif kind == 3:  # splice in garbage
        pos = rng.integers(0, len(b))
        b[pos:pos] = rng.integers(0, 256, size=rng.integers(1, 200)).astype(np.uint8).tobytes()
    elif kind == 4:  # huge declared dimensions in a PNG IHDR / anywhere
        pos = rng.integers(0, max(1, len(b) - 8))
        b[pos:pos + 4] = (0x7FFF0000 + int(rng.integers(0, 1000))).to_bytes(4, "big")
    else:  # duplicate a chunk
        a, c = sorted(rng.integers(0, len(b), size=2))
        b[c:c] = b[a:c]
    return bytes(b)


@pytest.mark.slow
def test_mutated_images_never_crash_hang_or_exhaust_memory(colorizer_weights):
    c = Colorizer.load("conv-autoencoder")
    rng = np.random.default_rng(1234)
    seeds = _seed_files()
    ok = failed = 0
    for i in range(300):
        data = _mutate(seeds[i % len(seeds)], rng)
        t0 = time.perf_counter()
        try:
            out = c.colorize(data, size=32)
            assert out.width > 0 and out.height > 0
            ok += 1
        except ColorizerError as exc:
            msg = str(exc)
            assert msg and "Traceback" not in msg and len(msg) < 500
            failed += 1
        assert time.perf_counter() - t0 < TIME_LIMIT, f"case {i} took too long"
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < MEMORY_LIMIT_MB
    assert ok + failed == 300 and failed > 0


@pytest.mark.slow
def test_cli_survives_a_folder_of_mutated_files(weights_dir, tmp_path):
    rng = np.random.default_rng(99)
    seeds = _seed_files()
    src = tmp_path / "in"
    src.mkdir()
    exts = ["png", "jpg", "gif", "webp", "bmp", "tif", "png"]
    for i in range(60):
        (src / f"f{i}.{exts[i % len(exts)]}").write_bytes(_mutate(seeds[i % len(seeds)], rng))
    env = dict(os.environ, COLORIZER_WEIGHTS=str(weights_dir), PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "colorizer", "colorize", str(src), "-o", str(tmp_path / "out"),
                        "--checkpoint", "conv-autoencoder", "--size", "32", "--quiet"],
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode in (0, 1), r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    written = len(list((tmp_path / "out").glob("*_colorized.*")))
    errors = [line for line in r.stderr.splitlines() if line.startswith("error: ")]
    assert written + len(errors) == 60
