"""The evaluation's per-image metrics on photos whose answer is known."""
import math

import numpy as np

from colorizer.evaluation.metrics import image_metrics, summarize


def _photo(top, bottom):
    img = np.zeros((16, 16, 3), np.uint8)
    img[:8], img[8:] = top, bottom
    return img


def test_paint_counts_the_neutral_pixels_given_a_clear_hue():
    truth = _photo((128, 128, 128), (200, 30, 30))           # a gray wall above a red coat
    gray_kept = _photo((128, 128, 128), (128, 128, 128))     # the coat left gray: not paint, the wall is right
    wall_red = _photo((200, 30, 30), (200, 30, 30))           # the wall painted red too
    faint = _photo((134, 126, 124), (200, 30, 30))            # the wall given a faint warm cast (chroma < 20)
    assert image_metrics(gray_kept, truth)["paint"] == 0.0
    assert image_metrics(wall_red, truth)["paint"] == 1.0
    assert image_metrics(faint, truth)["paint"] == 0.0
    # with no near-neutral pixel in the truth the column has nothing to count, and summaries skip the photo
    colored = _photo((200, 30, 30), (30, 30, 200))
    assert math.isnan(image_metrics(colored, colored)["paint"])
    s = summarize([image_metrics(colored, colored), image_metrics(wall_red, truth)])
    assert s["paint"] == 1.0 and s["images"] == 2


def test_tail_and_colorfulness_on_a_known_error():
    truth = _photo((128, 128, 128), (200, 30, 30))
    m = image_metrics(_photo((200, 30, 30), (200, 30, 30)), truth)
    assert m["tail20"] == 0.5                                  # half the photo confidently wrong
    assert m["cf_true"] > 0.0 and image_metrics(_photo((90, 90, 90), (160, 160, 160)), truth)["cf_pred"] == 0.0
    assert image_metrics(truth, truth)["tail20"] == 0.0 and image_metrics(truth, truth)["psnr"] == float("inf")


def test_wash_counts_regions_painted_a_confident_wrong_hue():
    """A 16x16 region painted saturated red where the truth is green is a wash; the right green, a gray guess,
    or a mild wrong tint is not; a photo smaller than one region has no figure."""
    from colorizer.evaluation.metrics import wash
    truth = np.zeros((64, 64, 3))
    truth[..., 0], truth[..., 1], truth[..., 2] = 50, -40, 30          # a green wall (Lab)
    pred = truth.copy()
    pred[:32, :32, 1], pred[:32, :32, 2] = 50, 30                      # a red backdrop over a quarter of it
    assert wash(pred, truth) == 0.25
    assert wash(truth, truth) == 0.0
    gray = truth.copy()
    gray[..., 1:] = 0
    assert wash(gray, truth) == 0.0                                    # timid is not a wash (it loses elsewhere)
    mild = truth.copy()
    mild[..., 1], mild[..., 2] = 12, 10                                 # wrong, but not a confident hue
    assert wash(mild, truth) == 0.0
    assert math.isnan(wash(truth[:8, :8], truth[:8, :8]))
    m = image_metrics(np.full((32, 32, 3), 128, np.uint8), np.full((32, 32, 3), 128, np.uint8))
    assert m["wash"] == 0.0
