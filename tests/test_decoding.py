"""colorizer.decoding: confidence gating, guided upsampling, settings from checkpoint metadata."""
import torch

from colorizer import bins
from colorizer.decoding import DecodeSettings, bins_to_ab, decode, guided_filter


def _logits_for(ab_targets: list[tuple[float, float]], weights: list[float]) -> torch.Tensor:
    """(1,Q,1,1) logits putting `weights` of the mass on the bins nearest each target ab."""
    centers = bins.load_bins()["centers"]
    p = torch.full((centers.shape[0],), 1e-6)
    for (a, b), w in zip(ab_targets, weights):
        p[((centers - torch.tensor([a, b])) ** 2).sum(1).argmin()] += w
    return p.log().view(1, -1, 1, 1)


def test_confidence_gating_desaturates_split_distributions_only():
    sure = _logits_for([(40.0, 40.0)], [1.0])
    split = _logits_for([(60.0, 40.0), (-40.0, -50.0)], [0.5, 0.5])  # red-orange or blue: undecided
    s0, gated = DecodeSettings(temperature=0.2), DecodeSettings(temperature=0.2, confidence=30.0)
    chroma = lambda lg, s: float(bins_to_ab(lg, s).norm())  # noqa: E731
    assert abs(chroma(sure, gated) - chroma(sure, s0)) < 0.05 * chroma(sure, s0)  # a confident pixel keeps its color
    assert chroma(split, gated) < 0.3 * chroma(split, s0)  # an undecided one falls back toward gray


def test_guided_upsampling_follows_the_edges_of_l():
    l = torch.full((1, 1, 32, 32), -0.3)
    l[..., 16:] = 0.3  # a vertical edge in the photo
    ab = torch.zeros(1, 2, 8, 8)
    ab[:, 0, :, 4:] = 0.5  # the low-resolution head's color change, on the same edge
    plain = decode({"ab": ab}, l, DecodeSettings())
    guided = decode({"ab": ab}, l, DecodeSettings(guide_radius=3, guide_eps=1e-3))
    jump = lambda x: float((x[0, 0, :, 16] - x[0, 0, :, 15]).mean())  # noqa: E731 - the change across L's edge
    assert jump(guided) > 2 * jump(plain)  # bilinear spreads the change over 4 pixels; the guide puts it on the edge
    flat = torch.randn(1, 2, 16, 16)
    assert torch.allclose(guided_filter(torch.zeros(1, 1, 16, 16), flat, 2, 1e-3).mean(), flat.mean(), atol=0.05)


def test_settings_from_old_and_new_metadata():
    assert DecodeSettings.from_metadata({"temperature": 0.3, "prior_correction": 0.5}) == \
        DecodeSettings(temperature=0.3, prior_correction=0.5)
    s = DecodeSettings(temperature=0.5, confidence=40.0, guide_radius=4)
    assert DecodeSettings.from_metadata({"temperature": 0.1, "decode": s.as_dict()}) == s


def test_mirrored_averaging_is_symmetric_and_spreads_unstable_guesses():
    """flip: the output for a photo and for its mirror image are mirror images, and where the model says
    red on one view and blue on the other the merged distribution holds both (a duller annealed mean)."""
    from colorizer.decoding import average_outputs, run_model
    from colorizer import bins
    torch.manual_seed(0)
    q = bins.num_bins()
    conv = torch.nn.Conv2d(1, q, 3, padding=1)
    model = lambda l: {"logits": conv(l) * 5}  # noqa: E731
    l = torch.rand(1, 1, 8, 12) - 0.5
    s = DecodeSettings(flip=True)
    a = decode(run_model(model, l, None, s), l, s)
    b = decode(run_model(model, l.flip(-1), None, s), l.flip(-1), s)
    assert torch.allclose(a, b.flip(-1), atol=1e-5)
    red, blue = torch.full((1, q, 2, 2), -20.0), torch.full((1, q, 2, 2), -20.0)
    red[:, 10], blue[:, 200] = 20.0, 20.0
    merged = average_outputs([{"logits": red}, {"logits": blue.flip(-1)}])["logits"].softmax(1)
    assert torch.allclose(merged[:, 10], torch.full_like(merged[:, 10], 0.5), atol=1e-4)
    assert torch.allclose(merged[:, 200], merged[:, 10], atol=1e-4)


def test_second_scale_averages_a_smaller_view_without_hints():
    """second_size: the model also sees the photo at that working size (area second_size^2, no hints), and
    the two distributions are averaged on the first view's grid; skipped for photos not larger than it."""
    from colorizer import bins
    from colorizer.decoding import run_model
    q = bins.num_bins()
    seen = []

    def model(l, hints=None):
        seen.append((tuple(l.shape[-2:]), hints))
        z = torch.full((l.shape[0], q, l.shape[-2] // 4, l.shape[-1] // 4), -20.0)
        z[:, 10 if l.shape[-1] > 100 else 200] = 20.0  # one color at full size, another at the small size
        return {"logits": z}

    l, planes = torch.zeros(1, 1, 96, 128), torch.zeros(1, 3, 96, 128)
    out = run_model(model, l, planes, DecodeSettings(second_size=55))
    assert [s for s, _ in seen] == [(96, 128), (48, 64)]  # 55^2 ~ 48 x 64, the aspect kept
    assert seen[0][1] is planes and seen[1][1] is None
    p = out["logits"].softmax(1)
    assert out["logits"].shape[-2:] == (24, 32)
    assert torch.allclose(p[:, 10], torch.full_like(p[:, 10], 0.5), atol=1e-4)
    assert torch.allclose(p[:, 200], p[:, 10], atol=1e-4)
    seen.clear()
    run_model(model, torch.zeros(1, 1, 48, 64), None, DecodeSettings(second_size=64))
    assert len(seen) == 1  # already that small: one view
    assert DecodeSettings.from_metadata({"decode": DecodeSettings(second_size=160).as_dict()}).second_size == 160
