"""Video: the round trip through PyAV (frames, size, rate, audio), steadiness and cuts on synthetic clips whose
truth is known, hints holding for a shot, the command line, and every refusal leaving nothing behind."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from skimage import data

from colorizer import ColorizerError
from colorizer.inference import Colorizer
from conftest import ROOT

av = pytest.importorskip("av")
from colorizer.evaluation.metrics import to_lab  # noqa: E402
from colorizer.video.stream import colorize_video, is_video, iter_video, probe, write_video  # noqa: E402


@pytest.fixture(scope="module")
def flagship():
    return Colorizer.load(ROOT / "weights" / "effnet-unet.safetensors")


def pan(photo: np.ndarray, n: int, h: int = 96, w: int = 128, step: int = 2, y: int = 40, noise: float = 0.0, seed=0):
    """n gray frames of a window moving `step` pixels right per frame over `photo`, with per-frame noise."""
    gray = photo.mean(axis=2) if photo.ndim == 3 else photo.astype(np.float64)
    rng = np.random.default_rng(seed)
    return [(gray[y:y + h, 20 + i * step: 20 + i * step + w] + rng.normal(0, noise, (h, w))).clip(0, 255).astype(np.uint8)
            for i in range(n)]


def encode_gray(out, stream, frames):
    """Gray frames into an open PyAV video stream, flushed."""
    for i, f in enumerate(frames):
        vf = av.VideoFrame.from_ndarray(np.repeat(f[..., None], 3, 2), format="rgb24")
        vf.pts = i
        for p in stream.encode(vf):
            out.mux(p)
    for p in stream.encode():
        out.mux(p)


def with_audio(path, frames, fps=12, seconds=None, rate=16000):
    """An MP4 of gray frames with a 440 Hz tone (PyAV, as a camera or an editor writes one)."""
    out = av.open(str(path), "w")
    v = out.add_stream("libx264", rate=fps)
    v.width, v.height, v.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
    a = out.add_stream("aac", rate=rate)
    a.layout = "mono"
    encode_gray(out, v, frames)
    total = int(rate * (seconds or len(frames) / fps))
    tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(total) / rate)).astype(np.float32)[None]
    for k in range(0, total, 1024):
        af = av.AudioFrame.from_ndarray(tone[:, k:k + 1024], format="fltp", layout="mono")
        af.sample_rate, af.pts = rate, k
        for p in a.encode(af):
            out.mux(p)
    for p in a.encode():
        out.mux(p)
    out.close()
    return path


def test_round_trip_keeps_frames_size_rate_and_sound(flagship, tmp_path):
    src = with_audio(tmp_path / "clip.mp4", pan(data.astronaut(), 24), fps=12)
    seen = []
    info = colorize_video(flagship, src, tmp_path / "out" / "clip.mp4", progress=lambda d, n: seen.append((d, n)))
    assert info["frames"] == 24 and info["audio"] and seen[-1] == (24, 24)
    got = probe(tmp_path / "out" / "clip.mp4")
    assert (got.width, got.height, got.fps, got.frames, got.has_audio) == (128, 96, 12, 24, True)
    with av.open(str(tmp_path / "out" / "clip.mp4")) as box:
        v = box.streams.video[0]
        assert v.codec_context.name == "h264" and v.codec_context.pix_fmt == "yuv420p"
        frame = next(box.decode(v)).to_ndarray(format="rgb24")
    assert np.abs(to_lab(frame)[..., 1:]).mean() > 2  # it has color
    assert (os.stat(tmp_path / "out" / "clip.mp4").st_mode & 0o777) != 0o600  # an ordinary file
    part = colorize_video(flagship, src, tmp_path / "part.mp4", start=0.5, end=1.5)
    assert part["frames"] == 12 and probe(tmp_path / "part.mp4").frames == 12 and part["audio"]


def _ab(frames):
    return [to_lab(f)[..., 1:] for f in frames]


def test_steady_colors_flicker_less_than_frames_colored_alone(flagship):
    """A pan with sensor noise: after undoing the known motion, consecutive frames' ab differ far less with
    the temporal carry than frame by frame, and each frame stays about as close to the per-frame colors."""
    frames = pan(data.chelsea(), 16, noise=6.0)
    alone = _ab([c for _, c in flagship_iter(flagship, frames, steady=False)])
    steady = _ab([c for _, c in flagship_iter(flagship, frames, steady=True)])

    def flicker(abs_):  # frame t shifted back by the pan's 2 px onto frame t-1
        return np.mean([np.abs(b[:, :-2] - a[:, 2:]).mean() for a, b in zip(abs_, abs_[1:])])
    assert flicker(steady) < 0.6 * flicker(alone), (flicker(steady), flicker(alone))


def flagship_iter(c, frames, **kwargs):
    from colorizer.video.stream import _colorized
    from colorizer.video.temporal import TemporalSettings
    return _colorized(c, iter(frames), None, kwargs.get("hints"), TemporalSettings() if kwargs.get("steady", True) else None)


def test_a_cut_starts_afresh(flagship):
    """The frames after a cut are colored exactly as if the clip began there."""
    a, b = pan(data.astronaut(), 8), pan(data.coffee(), 8, y=100)
    joined = [c for _, c in flagship_iter(flagship, a + b)]
    alone = [c for _, c in flagship_iter(flagship, b)]
    assert all(np.array_equal(x, y) for x, y in zip(joined[8:], alone))
    assert not np.array_equal(joined[7], alone[0])


def test_a_hint_holds_for_its_shot_and_not_after_the_cut(flagship):
    a, b = pan(data.chelsea(), 10, step=3), pan(data.coffee(), 4, y=100)
    hint = {0: [[64, 48, [0, 0, 255]]]}  # blue on the cat, first frame
    plain = _ab([c for _, c in flagship_iter(flagship, a + b)])
    hinted = _ab([c for _, c in flagship_iter(flagship, a + b, hints=hint)])
    x = 64 - 3 * 9  # where the hinted point is on the last frame of the shot (the window moved 27 px right)
    assert hinted[9][44:52, x - 4:x + 4, 1].mean() < plain[9][44:52, x - 4:x + 4, 1].mean() - 5  # bluer (b lower)
    assert all(np.array_equal(p, q) for p, q in zip(plain[10:], hinted[10:]))  # the next shot: untouched


@pytest.mark.parametrize("case", ["text", "empty", "truncated", "too_long", "too_large", "segment", "no_video"])
def test_refusals_are_clear_and_leave_nothing_behind(flagship, tmp_path, case):
    src = tmp_path / "in.mp4"
    good = with_audio(tmp_path / "good.mp4", pan(data.astronaut(), 24), fps=12)
    kwargs, expect = {}, None
    if case == "text":
        src.write_text("this is not a video"); expect = "not a readable video"
    elif case == "empty":
        src.write_bytes(b""); expect = "not a readable video"
    elif case == "truncated":
        raw = good.read_bytes()
        src.write_bytes(raw[: len(raw) * 2 // 3]); expect = "truncated|corrupt|not a readable"
    elif case == "too_long":
        src = good; kwargs = {"max_seconds": 1.0}; expect = "more than the 1 s allowed"
    elif case == "too_large":
        src = good; kwargs = {"max_pixels": 100 * 80}; expect = "larger than the 8,000 pixels"
    elif case == "segment":
        src = good; kwargs = {"start": 5.0}; expect = "the clip is 2.0 s long"
    elif case == "no_video":  # sound only
        src = tmp_path / "sound.m4a"
        out = av.open(str(src), "w", format="mp4")
        a = out.add_stream("aac", rate=16000)
        a.layout = "mono"
        for k in range(0, 16000, 1024):
            af = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            af.sample_rate, af.pts = 16000, k
            for p in a.encode(af):
                out.mux(p)
        for p in a.encode():
            out.mux(p)
        out.close()
        expect = "no video stream"
    dst = tmp_path / "out" / "result.mp4"
    with pytest.raises(ColorizerError, match=expect):
        colorize_video(flagship, src, dst, **kwargs)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())  # not even a temp file


def test_animated_gif_is_a_video_and_a_still_gif_is_a_photo(flagship, tmp_path):
    from PIL import Image
    frames = [Image.fromarray(f) for f in pan(data.astronaut(), 6)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    frames[0].save(tmp_path / "still.gif")
    assert is_video(tmp_path / "anim.gif") and not is_video(tmp_path / "still.gif")
    assert len(list(iter_video(flagship, tmp_path / "anim.gif"))) == 6


def test_command_line_colorizes_a_clip_and_reports_a_bad_one(tmp_path):
    clip = tmp_path / "in" / "film.mp4"
    clip.parent.mkdir()
    write_video(pan(data.astronaut(), 12), clip, fps=12)
    (tmp_path / "in" / "bad.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 not really")
    hints = tmp_path / "hints.json"
    hints.write_text(json.dumps({"film.mp4": {"0": [[60, 40, [200, 30, 30]]]}}))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "colorizer", "colorize", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                        "--end", "0.5", "--hints", str(hints), "--quiet"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 1, r.stderr  # one good clip, one bad: the bad one reported
    assert "bad.mp4" in r.stderr and "1 colorized" in r.stdout
    assert probe(tmp_path / "out" / "film_colorized.mp4").frames == 6
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["colorize.csv", "film_colorized.mp4"]  # and its manifest


@pytest.mark.parametrize("suffix,codec", [(".webm", "libvpx-vp9"), (".avi", "mpeg4"), (".mov", "libx264"),
                                          (".mkv", "mpeg4")])
def test_other_containers_come_out_as_mp4(flagship, tmp_path, suffix, codec):
    src = tmp_path / f"clip{suffix}"
    out = av.open(str(src), "w")
    v = out.add_stream(codec, rate=10)
    v.width, v.height, v.pix_fmt = 96, 64, "yuv420p"
    encode_gray(out, v, pan(data.astronaut(), 5, h=64, w=96))
    out.close()
    assert is_video(src)
    info = colorize_video(flagship, src, tmp_path / "out.mp4")
    got = probe(tmp_path / "out.mp4")
    assert info["frames"] == 5 and (got.width, got.height, got.frames, got.fps) == (96, 64, 5, 10)


def test_a_references_colours_move_with_the_picture():
    """TemporalSmoother.carry_planes: colours matched on one frame follow the motion into the next, and a fresh
    match fixed to the frame's cells only refreshes them slowly (what keeps a referenced clip from flickering)."""
    from colorizer.video.temporal import TemporalSmoother
    l = (data.camera()[100:228, 100:292] / 255.0).astype(np.float32)
    s = TemporalSmoother()
    planes = np.zeros((128, 160, 3), np.float32)
    planes[40:80, 40:80] = (0.3, -0.2, 1.0)
    s.observe(l[:, 10:170])
    first = s.carry_planes(planes)
    assert np.array_equal(first, planes)  # a shot's first frame: as matched
    s.blend(np.zeros((128, 160, 2), np.float32))
    s.observe(l[:, 4:164])  # the camera pans: the picture moves 6 px right
    now = s.carry_planes(planes)  # the fresh match still at the frame's cells
    assert now[50:70, 82:84, 2].min() > 0.9 and np.allclose(now[50:70, 82:84, :2], (0.3, -0.2), atol=1e-3)
    assert now[50:70, 40:44, 2].max() == 0  # left behind by the picture: below the floor, nothing
    assert s.carry_planes(None) is None and s._prev_planes is None
