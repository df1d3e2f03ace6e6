import numpy as np
import pytest

pytest.importorskip("onnxruntime")

from colorizer import ColorizerError  # noqa: E402
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.onnx_backend import export_onnx  # noqa: E402

from conftest import synthetic_photo  # noqa: E402


@pytest.mark.parametrize("name", ["effnet-unet", "resnet-mid"])
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
