import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from conftest import ROOT, synthetic_photo


def run(args, weights, cwd=None):
    env = dict(os.environ, COLORIZER_WEIGHTS=str(weights), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "colorizer", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or ROOT, timeout=300)


def test_colorize_folder_recursive_skips_bad_files(weights_dir, tmp_path):
    src = tmp_path / "in"
    (src / "nested").mkdir(parents=True)
    Image.fromarray(synthetic_photo(30, 40)).save(src / "a.jpg")
    Image.fromarray(synthetic_photo(20, 20, 3)).convert("L").save(src / "nested" / "b.png")
    (src / "nested" / "bad.png").write_bytes(b"garbage")
    single = tmp_path / "single.bmp"
    Image.fromarray(synthetic_photo(10, 12)).save(single)
    out = tmp_path / "out"
    r = run(["colorize", str(src), str(single), "-o", str(out), "--checkpoint", "resnet-mid", "--size", "48"], weights_dir)
    assert r.returncode == 1, r.stderr  # some failed
    assert "bad.png" in r.stderr and "3 colorized" in r.stdout
    assert Image.open(out / "a_colorized.jpg").format == "JPEG"  # a JPEG photo stays a JPEG
    assert Image.open(out / "a_colorized.jpg").size == (40, 30)
    assert Image.open(out / "nested" / "b_colorized.png").size == (20, 20)
    assert (out / "single_colorized.png").exists()
    assert not list(out.rglob("*.tmp"))


def test_outputs_never_overwrite_inputs(weights_dir, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(synthetic_photo(16, 16)).save(src / "x.png")
    victim = src / "x_colorized.png"  # an input that happens to have the output's name
    Image.fromarray(synthetic_photo(16, 16, 5)).save(victim)
    before = victim.read_bytes()
    r = run(["colorize", str(src), "-o", str(src)], weights_dir)
    assert victim.read_bytes() == before
    assert "would overwrite an input" in r.stderr and r.returncode == 1


def test_all_good_exit_zero_and_list(weights_dir, tmp_path):
    Image.fromarray(synthetic_photo(16, 16)).save(tmp_path / "x.png")
    r = run(["colorize", str(tmp_path / "x.png"), "-o", str(tmp_path / "o")], weights_dir)
    assert r.returncode == 0, r.stderr
    r = run(["list"], weights_dir)
    assert r.returncode == 0 and "effnet-unet" in r.stdout and "inception-fusion" in r.stdout
    listed = json.loads(run(["list", "--json"], weights_dir).stdout)
    assert {e["name"] for e in listed} >= {"resnet-mid", "gray2rgb-cnn", "conv-autoencoder"}


def test_clear_errors(weights_dir, tmp_path):
    r = run(["colorize", str(tmp_path / "missing.jpg"), "-o", str(tmp_path / "o")], weights_dir)
    assert r.returncode == 2 and "no such file" in r.stderr  # a bad argument: nothing is run
    r = run(["colorize", str(tmp_path), "-o", str(tmp_path / "o")], weights_dir)
    assert r.returncode == 1 and "no photos or videos in" in r.stderr
    Image.fromarray(synthetic_photo(16, 16)).save(tmp_path / "x.png")
    r = run(["colorize", str(tmp_path), "-o", str(tmp_path / "o"), "--checkpoint", "nope"], weights_dir)
    assert r.returncode == 2 and "no checkpoint named" in r.stderr
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run(["colorize", str(tmp_path), "-o", str(blocker / "sub")], weights_dir)
    assert r.returncode == 2 and "cannot create output folder" in r.stderr


def test_evaluate_prints_reference_rows_and_json(weights_dir, tmp_path):
    d = tmp_path / "val"
    for kind in ("cars", "dogs"):
        (d / kind).mkdir(parents=True)
        for i in range(3):
            Image.fromarray(synthetic_photo(40, 50, i + (10 if kind == "dogs" else 0))).save(d / kind / f"{i}.png")
    out = tmp_path / "r.json"
    r = run(["evaluate", str(d), "--checkpoint", "effnet-unet", "--checkpoint", "gray2rgb-cnn", "--size", "64",
             "--by-source", "--json", str(out)], weights_dir)
    assert r.returncode == 0, r.stderr
    for row in ("gray", "mean-ab", "effnet-unet", "gray2rgb-cnn", "[cars] 3 images", "[dogs] 3 images"):
        assert row in r.stdout
    doc = json.loads(out.read_text())
    res = doc["results"]
    assert res["gray"]["cf_pred"] < 1.0 and res["gray"]["images"] == 6
    assert {"psnr", "ssim", "ciede2000", "tail20", "paint", "semantic", "cf_pred", "cf_true", "dcf",
            "sec_per_image"} <= set(res["effnet-unet"])
    assert 0.0 <= res["effnet-unet"]["tail20"] <= 1.0 and 0.0 <= res["gray"]["semantic"] <= 1.0
    assert set(doc["by_source"]) == {"cars", "dogs"} and doc["by_source"]["dogs"]["gray2rgb-cnn"]["images"] == 3
    # the sample grid: a header plus one line of tiles per sampled photo, columns gray | models | truth
    grid = Image.open(tmp_path / "r_grid.png")
    assert grid.width > 4 * 160 and grid.height > 6 * 160


def test_semantic_column_agrees_with_itself():
    from colorizer.evaluation import semantic
    photos = [synthetic_photo(64, 64, i) for i in range(3)]
    assert semantic.agreement(photos, semantic.top1(photos)).tolist() == [1.0, 1.0, 1.0]


def test_tuning_photos_are_the_large_enough_ones_drawn_the_same_way_each_time(tmp_path):
    from colorizer.evaluation.evaluate import tuning_files, tuning_set
    for i in range(12):  # every third photo is stored too small to tune on
        side = 64 if i % 3 == 0 else 160
        Image.fromarray(synthetic_photo(side, side, seed=i)).save(tmp_path / f"p{i:02d}.png")
    picked = tuning_files(tmp_path, 5, min_side=128)
    assert len(picked) == 5 == len(set(picked))
    assert all(min(Image.open(f).size) >= 128 for f in picked)
    assert picked == tuning_files(tmp_path, 5, min_side=128)              # the same photos every run
    assert len(tuning_files(tmp_path, 100, min_side=128)) == 8             # all of them when asked for more
    imgs = tuning_set(tmp_path, 5, size=32, min_side=128).images
    assert [i.shape for i in imgs] == [(32, 32, 3)] * 5
    assert (imgs[0] == np.asarray(Image.open(picked[0]).convert("RGB").resize((32, 32), Image.BICUBIC))).all()


def test_evaluate_aged_scores_aged_inputs_against_the_clean_truth(tmp_path):
    """--aged: every row is given the same seeded aging of each file's L (so the gray row falls below its
    clean score: its L is the aged one), the truth stays the clean photo, and a file ages alike whatever
    else is in the folder."""
    from colorizer.evaluation.evaluate import evaluate, load_eval_set
    d = tmp_path / "val"
    (d / "k").mkdir(parents=True)
    for i in range(4):
        Image.fromarray(synthetic_photo(48, 64, i)).save(d / "k" / f"{i}.png")
    clean = evaluate(d, checkpoints=[], size=64, semantic=False, progress=False)["results"]
    aged = evaluate(d, checkpoints=[], size=64, semantic=False, progress=False, aged=True)["results"]
    assert aged["gray"]["psnr"] < clean["gray"]["psnr"] and aged["gray"]["ciede2000"] > clean["gray"]["ciede2000"] and aged["gray"]["cf_true"] == clean["gray"]["cf_true"]
    full = load_eval_set(d, 64).age()
    alone = load_eval_set([d / "k" / "2.png"], 64)
    alone.keys = ["k/2.png"]  # the key is the path under the evaluated folder
    assert np.array_equal(full.inputs[2], alone.age().inputs[0])
    assert np.array_equal(full.images[2], alone.images[0]) and not np.array_equal(full.inputs[2], full.images[2])


def test_evaluate_keep_aspect_scores_photos_at_their_own_shape(weights_dir, tmp_path):
    """--keep-aspect: each photo resized to about size^2 pixels at its own aspect ratio, not squashed."""
    from colorizer.evaluation.evaluate import load_eval_set
    d = tmp_path / "val"
    d.mkdir()
    Image.fromarray(synthetic_photo(60, 180, 1)).save(d / "wide.png")
    Image.fromarray(synthetic_photo(90, 60, 2)).save(d / "tall.png")
    shapes = sorted(i.shape for i in load_eval_set(d, 64, keep_aspect=True).images)
    assert shapes == [(37, 111, 3), (78, 52, 3)]  # 3:1 and 2:3 at about 64^2 pixels
    assert {i.shape for i in load_eval_set(d, 64).images} == {(64, 64, 3)}
    r = run(["evaluate", str(d), "--checkpoint", "effnet-unet", "--size", "64", "--keep-aspect", "--no-semantic"],
            weights_dir)
    assert r.returncode == 0, r.stderr
    assert "at about 64^2 pixels at their own aspect ratio" in r.stdout and "effnet-unet" in r.stdout


def _two_folders(tmp_path):
    """prints/ and scratched/ both holding a.png ... d.png (and e.jpg, f.jpeg): the names collide."""
    for k, folder in enumerate(("prints", "scratched")):
        d = tmp_path / folder
        d.mkdir()
        for i, name in enumerate(("a.png", "b.png", "c.png", "d.png", "e.jpg", "f.jpeg")):
            Image.fromarray(synthetic_photo(16, 20, 10 * k + i)).save(d / name)
    return [str(tmp_path / "prints"), str(tmp_path / "scratched")]


def _manifest(out):
    import csv
    with open(out / "colorize.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_results_of_two_folders_never_meet_and_a_rerun_resumes(weights_dir, tmp_path):
    inputs, out = _two_folders(tmp_path), tmp_path / "out"
    r = run(["colorize", *inputs, "-o", str(out), "--checkpoint", "resnet-mid"], weights_dir)
    assert r.returncode == 0, r.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*_colorized*"))
    assert len(written) == 12 and "prints/a_colorized.png" in written and "scratched/a_colorized.png" in written
    assert "scratched/f_colorized.jpg" in written
    rows = _manifest(out)
    assert len(rows) == 12 and {r_["status"] for r_ in rows} == {"written"}
    assert {Path(r_["output"]).relative_to(out).as_posix() for r_ in rows} == set(written)
    assert all(r_["checkpoint"] == "resnet-mid" and float(r_["seconds"]) > 0 and r_["decoding"] for r_ in rows)
    # the two results of one name are the two photos, not one of them twice
    assert (out / "prints" / "a_colorized.png").read_bytes() != (out / "scratched" / "a_colorized.png").read_bytes()

    stamp = {p: p.stat().st_mtime_ns for p in out.rglob("*_colorized*")}
    r = run(["colorize", *inputs, "-o", str(out), "--checkpoint", "conv-autoencoder"], weights_dir)
    assert r.returncode == 0 and "0 colorized" in r.stdout and "12 skipped" in r.stdout, r.stdout
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*_colorized*")} == stamp  # nothing replaced
    assert len(_manifest(out)) == 12

    (out / "prints" / "b_colorized.png").unlink()  # an interrupted batch: the same command finishes it
    r = run(["colorize", *inputs, "-o", str(out), "--checkpoint", "resnet-mid"], weights_dir)
    assert "1 colorized" in r.stdout and "11 skipped" in r.stdout, r.stdout
    assert len(_manifest(out)) == 13

    r = run(["colorize", *inputs, "-o", str(out), "--checkpoint", "resnet-mid", "--overwrite"], weights_dir)
    assert r.returncode == 0 and "12 colorized" in r.stdout and "skipped" not in r.stdout
    assert len(_manifest(out)) == 25


def test_inputs_that_still_meet_are_both_written_under_names_that_say_so(weights_dir, tmp_path):
    for i, folder in enumerate(("x/prints", "y/prints")):  # two folders of one name
        (tmp_path / folder).mkdir(parents=True)
        Image.fromarray(synthetic_photo(16, 16, i)).save(tmp_path / folder / "a.png")
    Image.fromarray(synthetic_photo(16, 16, 5)).save(tmp_path / "x" / "prints" / "A.jpg")  # a.png's name, case aside
    out = tmp_path / "out"
    r = run(["colorize", str(tmp_path / "x" / "prints"), str(tmp_path / "y" / "prints"), "-o", str(out),
             "--checkpoint", "resnet-mid"], weights_dir)
    assert r.returncode == 0, r.stderr
    names = sorted(p.relative_to(out).as_posix() for p in out.rglob("*_colorized*"))
    assert names == ["prints/A_colorized.jpg", "prints/a_colorized-2.png", "prints/a_colorized-3.png"]
    assert len(_manifest(out)) == 3


def test_bad_arguments_are_reported_before_the_model_loads(weights_dir, tmp_path):
    """No model, no PyTorch: a missing input or an unusable output folder is said at once."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for args, said in ((["colorize", str(tmp_path / "nope"), "-o", str(tmp_path / "o")], "no such file or folder"),
                       (["colorize", str(blocker), "-o", str(blocker / "sub")], "cannot create output folder")):
        r = run(args, weights_dir)
        assert r.returncode == 2 and said in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    code = ("import sys, colorizer.__main__ as m; m.main(['colorize', sys.argv[1], '-o', sys.argv[2]]) ; "
            "print('torch' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "nope"), str(tmp_path / "o")], capture_output=True,
                       text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=60)
    assert r.stdout.strip() == "False", r.stdout + r.stderr  # PyTorch was never imported
