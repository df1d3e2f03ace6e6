import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from colorizer import ColorizerError  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.onnx_backend import export_onnx  # noqa: E402

from conftest import synthetic_photo  # noqa: E402


@pytest.mark.parametrize("name", ["effnet-unet", "resnet-mid", "ensemble"])
def test_onnx_runtime_gives_the_same_colors(colorizer_weights, tmp_path, name):
    out = tmp_path / f"{name}.onnx"
    meta = export_onnx(colorizer_weights / f"{name}.safetensors", out)  # verifies ab within 0.5 internally
    assert meta["arch"] == name
    torch_c, onnx_c = Colorizer.load(name), Colorizer.load(out)
    assert onnx_c.metadata["arch"] == name and onnx_c.uses_temperature == torch_c.uses_temperature
    for img in (synthetic_photo(70, 90), synthetic_photo(33, 131, 4)):
        a = np.asarray(torch_c.colorize(img, size=64)).astype(int)
        b = np.asarray(onnx_c.colorize(img, size=64)).astype(int)
        assert a.shape == b.shape and np.abs(a - b).max() <= 2


def test_unexportable_architectures_fail_clearly(colorizer_weights, tmp_path):
    with pytest.raises(ColorizerError, match="ONNX"):
        export_onnx(colorizer_weights / "gray2rgb-cnn.safetensors", tmp_path / "g.onnx")
    assert not (tmp_path / "g.onnx").exists()


def test_bad_onnx_files(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a protobuf")
    with pytest.raises(ColorizerError, match="not a loadable ONNX"):
        Colorizer.load(bad)
    with pytest.raises(ColorizerError, match="no such"):
        Colorizer.load(tmp_path / "missing.onnx")


def test_cpu_default_backend_is_onnxruntime_where_it_exports(colorizer_weights, tmp_path, monkeypatch):
    monkeypatch.setenv("COLORIZER_CACHE", str(tmp_path / "cache"))
    photo = synthetic_photo(60, 80)
    for name in ("effnet-unet", "resnet-mid"):
        fast, ref = Colorizer.load(name), Colorizer.load(name, backend="torch")
        assert (fast.backend, ref.backend) == ("onnxruntime", "pytorch")
        diff = np.abs(np.asarray(fast.colorize(photo)).astype(int) - np.asarray(ref.colorize(photo)).astype(int))
        assert diff.max() <= 2  # 0.5 ab units at most, then 8-bit rounding
    assert len(list((tmp_path / "cache").glob("*.onnx"))) == 2  # exported once each, then reused
    Colorizer.load("effnet-unet")
    assert len(list((tmp_path / "cache").glob("*.onnx"))) == 2
    assert Colorizer.load("conv-autoencoder").backend == "pytorch"  # traces its size: stays on PyTorch


def test_unwritable_cache_still_gets_onnxruntime(colorizer_weights, tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv("COLORIZER_CACHE", str(blocked / "cache"))
    c = Colorizer.load("resnet-mid")
    assert c.backend == "onnxruntime" and c.colorize(synthetic_photo(20, 20)).size == (20, 20)
    with pytest.raises(ColorizerError, match="backend must be one of"):
        Colorizer.load("resnet-mid", backend="tensorrt")
