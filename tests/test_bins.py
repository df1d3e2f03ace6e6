import torch

from colorizer import bins


def test_bins_asset_is_sane():
    b = bins.load_bins()
    q = b["centers"].shape[0]
    assert 250 <= q <= 330 and b["prior"].shape == (q,)
    assert abs(float(b["prior"].sum()) - 1) < 1e-4 and (b["prior"] >= 0).all()
    assert (b["centers"] % 10 == 0).all()  # a 10-unit grid


def test_rebalance_weights_expectation_is_one_and_favours_rare_colors():
    prior = bins.load_bins()["prior"]
    w = bins.rebalance_weights(prior, 0.5)
    assert abs(float((prior * w).sum()) - 1) < 1e-5
    assert w[prior.argmin()] > w[prior.argmax()]
    assert torch.allclose(bins.rebalance_weights(prior, 1.0), torch.ones_like(prior), atol=1e-5)


def test_soft_encode_and_annealed_mean_recover_a_color():
    centers = bins.load_bins()["centers"]
    ab = torch.tensor([20.0, -30.0]).view(1, 2, 1, 1).expand(1, 2, 3, 3)
    target = bins.soft_encode(ab, centers)
    assert torch.allclose(target.sum(1), torch.ones(1, 3, 3))
    logits = torch.log(target + 1e-9)
    decoded = bins.annealed_mean(logits, centers, temperature=1.0)
    assert (decoded - ab).abs().max() < 3.0
    # lower temperature moves toward the mode: a two-color mix becomes more saturated
    mix = torch.full((1, centers.shape[0], 1, 1), -20.0)
    mix[0, bins.nearest_bin(torch.tensor([60.0, 60.0]).view(1, 2, 1, 1), centers).item()] = 1.0
    mix[0, bins.nearest_bin(torch.tensor([0.0, 0.0]).view(1, 2, 1, 1), centers).item()] = 0.8
    vivid = bins.annealed_mean(mix, centers, 0.1).norm()
    safe = bins.annealed_mean(mix, centers, 1.0).norm()
    assert vivid > safe


def test_prior_correction_undoes_rebalancing():
    b = bins.load_bins()
    assert torch.equal(bins.prior_correction(0.0, 0.5), torch.zeros_like(b["prior"]))
    shift = bins.prior_correction(1.0, 0.5)
    # rare bins (large weights) are pushed down, common ones up
    assert shift[b["prior"].argmin()] < shift[b["prior"].argmax()]
    logits = torch.zeros(1, b["centers"].shape[0], 1, 1)
    vivid = bins.annealed_mean(logits, b["centers"], 1.0).norm()
    calibrated = bins.annealed_mean(logits, b["centers"], 1.0, shift).norm()
    assert calibrated != vivid
