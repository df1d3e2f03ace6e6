"""Disk full and unwritable destinations give clear errors and never leave a half-written file."""
import errno
import os
import subprocess
import sys

import pytest
from PIL import Image

from colorizer import ColorizerError
from colorizer.checkpoints import atomic_write, save_checkpoint
from colorizer.models import create_model
from colorizer.train.trainer import TrainConfig, train

from conftest import ROOT, synthetic_photo


def test_atomic_write_on_a_full_disk_keeps_the_old_file(tmp_path):
    target = tmp_path / "model.safetensors"
    save_checkpoint(target, create_model("conv-autoencoder", width=8), {})
    before = target.read_bytes()

    def disk_full(tmp):
        with open(tmp, "wb") as fh:
            fh.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ColorizerError, match="No space left on device") as info:
        atomic_write(target, disk_full)
    assert str(target) in str(info.value)
    assert target.read_bytes() == before and not list(tmp_path.glob("*.tmp"))


def test_training_into_an_unwritable_place_fails_before_training(image_folder, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    cfg = TrainConfig(data=str(image_folder), out=str(blocker / "m.safetensors"), arch="conv-autoencoder",
                      run_dir=str(tmp_path / "run"), steps=2, workers=0, size=32, batch_size=4)
    with pytest.raises(ColorizerError, match="cannot write there"):
        train(cfg)


def test_train_py_reports_it_without_a_traceback(image_folder, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = subprocess.run([sys.executable, str(ROOT / "train.py"), "--data", str(image_folder), "--out",
                        str(blocker / "m.safetensors"), "--arch", "conv-autoencoder", "--steps", "1"],
                       capture_output=True, text=True, timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 2 and "cannot write there" in r.stderr and "Traceback" not in r.stderr


def test_cli_colorize_on_a_full_disk(colorizer_weights, tmp_path, monkeypatch, capsys):
    from colorizer.__main__ import main
    Image.fromarray(synthetic_photo(20, 20)).save(tmp_path / "x.png")

    def full(self, fp, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", full)
    rc = main(["colorize", str(tmp_path / "x.png"), "-o", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 1 and "No space left on device" in err and "cannot write" in err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["colorize.csv"]  # no result, no half-written file
    assert ",failed," in (tmp_path / "out" / "colorize.csv").read_text()  # the manifest says so
