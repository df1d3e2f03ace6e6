import json
import pickle

import pytest
import torch
from safetensors.torch import save_file

from colorizer import ColorizerError, create_model, list_models
from colorizer.checkpoints import FORMAT, META_KEY, load_checkpoint, read_metadata, save_checkpoint

from conftest import small_kwargs


@pytest.mark.parametrize("name", list_models())
def test_round_trip_every_architecture(tmp_path, name):
    model = create_model(name, **small_kwargs(name)).eval()
    path = tmp_path / f"{name}.safetensors"
    save_checkpoint(path, model, {"working_size": 96, "val_metrics": {"psnr": 21.5}})
    loaded, meta = load_checkpoint(path)
    assert meta["arch"] == name and meta["arch_kwargs"] == small_kwargs(name) and meta["working_size"] == 96
    for (k, a), b in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(a, b), k
    assert not list(tmp_path.glob("*.tmp"))  # atomic write leaves no temp file


def test_half_precision_loads_back_as_float32(tmp_path):
    model = create_model("conv-autoencoder", width=8)
    save_checkpoint(tmp_path / "h.safetensors", model, {}, half=True)
    loaded, meta = load_checkpoint(tmp_path / "h.safetensors")
    assert meta["dtype"] == "float16"
    assert next(loaded.parameters()).dtype == torch.float32


def _meta(arch="conv-autoencoder", **kw):
    return {META_KEY: json.dumps({"format": FORMAT, "arch": arch, "arch_kwargs": kw})}


def test_failure_modes_name_the_file(tmp_path):
    good = create_model("conv-autoencoder", width=8).state_dict()
    cases = {}
    cases["missing.safetensors"] = None
    (tmp_path / "empty.safetensors").write_bytes(b"")
    (tmp_path / "pickle.safetensors").write_bytes(pickle.dumps({"a": 1}))  # a renamed pickle
    torch.save(good, tmp_path / "torchsave.safetensors")
    full = tmp_path / "full.safetensors"
    save_file(good, str(full), metadata=_meta(width=8))
    (tmp_path / "truncated.safetensors").write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    save_file(good, str(tmp_path / "nometa.safetensors"))
    save_file(good, str(tmp_path / "badjson.safetensors"), metadata={META_KEY: "{not json"})
    save_file(good, str(tmp_path / "unknown.safetensors"), metadata=_meta(arch="no-such-net"))
    extra = dict(good, extra_tensor=torch.zeros(1))
    save_file(extra, str(tmp_path / "extra.safetensors"), metadata=_meta(width=8))
    fewer = {k: v for k, v in list(good.items())[1:]}
    save_file(fewer, str(tmp_path / "fewer.safetensors"), metadata=_meta(width=8))
    save_file(good, str(tmp_path / "shape.safetensors"), metadata=_meta(width=16))
    save_file(good, str(tmp_path / "kwargs.safetensors"), metadata=_meta(bogus=3))
    expected = {"missing": "no such checkpoint", "empty": "not a valid", "pickle": "not a valid",
                "torchsave": "not a valid", "truncated": "not a valid", "nometa": "not a colorizer checkpoint",
                "badjson": "not valid JSON", "unknown": "unknown architecture", "extra": "unexpected",
                "fewer": "missing", "shape": "shape", "kwargs": "bad settings"}
    for stem, msg in expected.items():
        path = tmp_path / f"{stem}.safetensors"
        with pytest.raises(ColorizerError, match=msg) as info:
            load_checkpoint(path)
        assert str(path) in str(info.value)


def test_read_metadata_does_not_need_tensors(tmp_path):
    save_checkpoint(tmp_path / "m.safetensors", create_model("resnet-mid"), {"objective": "mse"})
    assert read_metadata(tmp_path / "m.safetensors")["objective"] == "mse"


def test_combine_checkpoints_builds_an_ensemble_and_gives_each_member_back(tmp_path):
    """scripts/combine_checkpoints.py, the way the shipped flagship is made: two trained checkpoints into an
    ensemble that records each one's training, and --how member returns a member bit for bit (a warm start)."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    torch.manual_seed(0)
    paths = []
    for i in range(2):
        m = create_model("effnet-unet", **small_kwargs("effnet-unet"))
        paths.append(tmp_path / f"m{i}.safetensors")
        save_checkpoint(paths[-1], m, {"working_size": 64, "training": {"steps": 10 + i, "config": {"lr": 0.1}},
                                       "decode": {"prior_correction": 0.1 * i}})
    script = [sys.executable, str(root / "scripts/combine_checkpoints.py")]
    ens = tmp_path / "ens.safetensors"
    subprocess.run(script + [str(ens), *map(str, paths), "--how", "ensemble", "--alpha", "0.3"], check=True)
    model, meta = load_checkpoint(ens)
    assert meta["arch"] == "ensemble" and meta["decode"]["prior_correction"] == 0.3
    assert [m["training"]["steps"] for m in meta["ensemble"]["members"]] == [10, 11]
    back = tmp_path / "back.safetensors"
    subprocess.run(script + [str(back), str(ens), "--how", "member", "--index", "1"], check=True)
    got, got_meta = load_checkpoint(back)
    want, _ = load_checkpoint(paths[1])
    assert got_meta["arch"] == "effnet-unet" and got_meta["training"]["steps"] == 11
    assert got_meta["decode"] == {"prior_correction": 0.1}  # its own decoding, not the ensemble's 0.3
    assert all(torch.equal(got.state_dict()[k], v) for k, v in want.state_dict().items())
