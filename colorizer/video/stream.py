"""Video: decode, colorize with colors steady from frame to frame, encode; the audio kept.

PyAV (FFmpeg's libraries inside its wheel; no system ffmpeg) reads mp4, mov, webm, avi, mkv and animated GIF
and writes what every browser and PowerPoint play: H.264 in yuv420p in an MP4 whose index is at the front
(`+faststart`), at the source's frame rate and size (an odd width or height padded by one pixel, as
yuv420p needs even sides), the audio re-encoded to AAC. Each frame goes through the same model, decoding and
full-resolution join as a photo (`Colorizer.frame_input` / `frame_ab` / colorizer.join); between the model and
the join colorizer.video.temporal carries the last frame's colors along the motion, so a hue decided once holds
through the shot, and lets go at a cut.

Hints: {frame index: hints as for a photo}; a hint holds from its frame to the end of its shot, moving with
what it was placed on (colorizer.video.temporal.TemporalSmoother.track).
Reference: one colour photo for the whole clip (colorizer.reference), or {frame index: photo}, each holding from its
frame until the next (one per shot); its features are read once. Whether it shows the scene is judged once a shot:
from the first frame that passes the gate to the cut, every frame takes its colours where they match.

Refusals are ColorizerErrors that say what is wrong (not a video, no picture in it, corrupt, truncated, too
long, frames too large, a segment outside the clip) and leave nothing behind: the output is written to a
temporary file beside `dst` and renamed over it only when complete.
"""
from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import torch

from ..color import denormalize_l
from ..errors import ColorizerError
from ..imageio import VIDEO_EXTENSIONS, LoadedImage
from ..join import join
from ..reference import Reference
from .temporal import TemporalSettings, TemporalSmoother

Progress = Callable[[int, int], None]  # (frames done, frames in all)


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: Fraction
    seconds: float        # the whole clip's length (0 when the container does not say)
    frames: int           # frames in the clip (0 when the container does not say)
    has_audio: bool


def is_video(path: str | os.PathLike) -> bool:
    """A file to treat as a video: a video container, or a GIF with more than one frame."""
    p = Path(path)
    if p.suffix.lower() in VIDEO_EXTENSIONS:
        return True
    if p.suffix.lower() == ".gif":
        from PIL import Image
        try:
            with Image.open(p) as im:
                return getattr(im, "n_frames", 1) > 1
        except (OSError, ValueError):
            return False
    return False


def _open(src: str | os.PathLike):
    import av
    try:
        return av.open(str(src))
    except FileNotFoundError:
        raise ColorizerError(f"{src}: no such file") from None
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise ColorizerError(f"{src}: not a readable video ({exc})") from None


def probe(src: str | os.PathLike) -> VideoInfo:
    """What the container says about the clip, read without decoding a frame."""
    with _open(src) as box:
        return _info(box, src)


def _info(box, src) -> VideoInfo:
    if not box.streams.video:
        raise ColorizerError(f"{src}: no video stream in this file")
    v = box.streams.video[0]
    w, h = v.codec_context.width, v.codec_context.height
    if not w or not h:
        raise ColorizerError(f"{src}: the video stream has no picture size (a corrupt file?)")
    fps = v.average_rate or v.guessed_rate or Fraction(25)
    if v.duration and v.time_base:
        seconds = float(v.duration * v.time_base)
    elif box.duration:
        seconds = box.duration / 1_000_000
    else:
        seconds = 0.0
    return VideoInfo(w, h, Fraction(fps).limit_denominator(100000), seconds, int(v.frames or 0), bool(box.streams.audio))


def check_limits(info: VideoInfo, src, start: float, end: float | None, max_seconds: float | None,
                 max_pixels: int | None) -> float:
    """Refuse, before decoding, a clip longer or larger than allowed, or a segment outside it. Returns the
    segment's length (seconds; 0 when the container does not say)."""
    if start < 0 or (end is not None and end <= start):
        raise ColorizerError(f"{src}: the segment {start}-{end} s is empty (start must be >= 0 and before end)")
    if info.seconds and start >= info.seconds:
        raise ColorizerError(f"{src}: starts at {start} s, but the clip is {info.seconds:.1f} s long")
    stop = min(end, info.seconds) if end is not None and info.seconds else (end or info.seconds)
    length = max(0.0, stop - start) if stop else 0.0
    if max_seconds is not None and length > max_seconds + 1e-6:
        raise ColorizerError(f"{src}: {length:.1f} s to colorize, more than the {max_seconds:g} s allowed here "
                             f"(cut a segment with start/end)")
    if max_pixels is not None and info.width * info.height > max_pixels:
        raise ColorizerError(f"{src}: frames of {info.width}x{info.height}, larger than the {max_pixels:,} pixels "
                             f"allowed here")
    return length


def _frames(box, src, info: VideoInfo, start: float, end: float | None, max_seconds: float | None) -> Iterator:
    """Decoded frames of the segment (PyAV VideoFrames). A decoding error, or a clip that ends well before
    its container said it would, is a truncated or corrupt file."""
    import av
    v = box.streams.video[0]
    v.thread_type = "AUTO"
    if start > 0:
        box.seek(int(start * 1_000_000), any_frame=False, backward=True)  # the keyframe before start
    n = 0
    t0 = None
    try:
        for frame in box.decode(v):
            t = frame.time if frame.time is not None else n / float(info.fps)
            if t < start - 0.5 / float(info.fps):
                continue
            if end is not None and t >= end - 1e-9:
                break
            t0 = t if t0 is None else t0
            if max_seconds is not None and t - t0 > max_seconds + 1e-6:  # a container that did not say
                raise ColorizerError(f"{src}: longer than the {max_seconds:g} s allowed here")
            n += 1
            yield frame
    except av.error.FFmpegError as exc:
        raise ColorizerError(f"{src}: the video is corrupt or truncated after {n} frames ({exc})") from None
    whole = start == 0 and end is None
    if n == 0:
        raise ColorizerError(f"{src}: no frame could be decoded" + ("" if whole else f" in {start}-{end} s"))
    if whole and info.frames and n < info.frames - 2:
        raise ColorizerError(f"{src}: the video is truncated ({n} of its {info.frames} frames could be decoded)")


def _to_rgb(frame) -> np.ndarray:
    """A decoded frame as uint8 (H, W) when it carries no color (gray pixel formats), else (H, W, 3)."""
    fmt = frame.format.name
    if fmt.startswith("gray") or fmt in ("monob", "monow"):
        return frame.to_ndarray(format="gray")
    return frame.to_ndarray(format="rgb24")


def references(reference) -> dict[int, Reference]:
    """A clip's reference argument -> {first frame: Reference}: one photo (from frame 0) or {frame index: photo}.
    Every photo is read and checked before any frame is decoded."""
    if reference is None:
        return {}
    if not isinstance(reference, dict):
        return {0: Reference.load(reference)}
    try:
        return {int(k): Reference.load(v) for k, v in sorted(reference.items(), key=lambda kv: int(kv[0]))}
    except (TypeError, ValueError):
        raise ColorizerError("a clip's references are one photo, or {frame index: photo}") from None


def _colorized(colorizer, frames: Iterator, size: int | None, hints: dict | None,
               settings: TemporalSettings | None, reference=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(source pixels, colorized RGB) per frame. settings None: every frame alone (the still-photo path)."""
    smoother = TemporalSmoother(settings) if settings is not None else None
    refs, ref, held = references(reference), None, False  # held: the reference showed this shot's scene
    active: list[list] = []  # hints holding in this shot: [x, y, color, ...] in full-resolution pixels
    for i, frame in enumerate(frames):
        pixels = _to_rgb(frame) if not isinstance(frame, np.ndarray) else frame
        h, w = pixels.shape[:2]
        if i == 0:  # a clip goes to one network, judged on its first frame: switching mid-clip would flicker
            colorizer = colorizer.route_for(LoadedImage(pixels))[0]
        ls = colorizer.frame_input(pixels, size)
        sh, sw = ls.shape[-2:]
        if smoother is not None:
            new_shot = smoother.observe((denormalize_l(ls[0, 0]).numpy() / 100.0).clip(0, 1))
            if new_shot:
                active, held = [], False
            elif active:  # follow the motion: full-resolution points through the working-size flow
                moved = smoother.track([(x * sw / w, y * sh / h) for x, y, *_ in active])
                active = [[min(w - 1, mx * w / sw), min(h - 1, my * h / sh), *rest]
                          for (mx, my), (_, _, *rest) in zip(moved, active)]
        if hints and i in hints:
            active = active + [list(x) if not isinstance(x, dict) else [x["x"], x["y"], x["color"]] for x in hints[i]]
        if i in refs:
            ref, held = refs[i], False
        ab, m = colorizer.frame_ab(ls, (h, w), active or None, ref, held,
                                   smoother.carry_planes if smoother is not None else None)
        # once a frame passes the gate, the shot keeps the reference: a pan drifting off it must not drop its colours
        held = smoother is not None and (held or (m is not None and m.planes is not None))
        if smoother is not None:
            ab_np = smoother.blend(ab[0].permute(1, 2, 0).numpy())
            ab = torch.from_numpy(np.ascontiguousarray(ab_np.transpose(2, 0, 1)))[None]
        yield pixels, join(pixels, ab)


def iter_video(colorizer, src: str | os.PathLike, start: float = 0.0, end: float | None = None,
               size: int | None = None, hints: dict | None = None, steady: bool = True,
               settings: TemporalSettings = TemporalSettings(), max_seconds: float | None = None,
               max_pixels: int | None = None, reference=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (source frame, colorized frame) as uint8 arrays, for callers who want arrays rather than a
    file. steady=False colorizes every frame alone (what a photo gets). reference: see the module."""
    refs = references(reference)
    with _open(src) as box:
        info = _info(box, src)
        check_limits(info, src, start, end, max_seconds, max_pixels)
        yield from _colorized(colorizer, _frames(box, src, info, start, end, max_seconds), size, hints,
                              settings if steady else None, refs)


class VideoWriter:
    """An H.264 (yuv420p) MP4 written to a temporary file beside `dst`, renamed over it by `close()`, removed
    by `abort()` (or when the `with` block raises): a failed run leaves nothing half-written."""

    def __init__(self, dst: str | os.PathLike, width: int, height: int, fps: Fraction, audio_from=None,
                 crf: int = 20, preset: str = "veryfast"):
        import av
        self.dst = Path(dst)
        try:
            self.dst.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.dst.stem}.", suffix=".mp4", dir=self.dst.parent)
            os.close(fd)
        except OSError as exc:
            raise ColorizerError(f"{self.dst}: cannot write there ({exc.strerror or exc})") from None
        self.out = av.open(self.tmp, "w", format="mp4", options={"movflags": "+faststart"})
        self.video = self.out.add_stream("libx264", rate=fps)
        self.video.width, self.video.height = width + width % 2, height + height % 2  # yuv420p: even sides
        self.video.pix_fmt = "yuv420p"
        self.video.options = {"crf": str(crf), "preset": preset}
        self.audio = None
        if audio_from is not None:  # every stream must exist before the first packet
            a = audio_from.codec_context
            self.audio = self.out.add_stream("aac", rate=a.sample_rate or 48000)
            self.audio.layout = "mono" if a.layout and a.layout.nb_channels == 1 else "stereo"
        self.frames = 0

    def write(self, rgb: np.ndarray) -> None:
        import av
        h, w = self.video.height, self.video.width
        if rgb.ndim == 2:
            rgb = np.repeat(rgb[..., None], 3, axis=2)
        if rgb.shape[:2] != (h, w):
            rgb = np.pad(rgb, ((0, h - rgb.shape[0]), (0, w - rgb.shape[1]), (0, 0)), mode="edge")
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb[..., :3]), format="rgb24")
        frame.pts = self.frames
        for packet in self.video.encode(frame):
            self.out.mux(packet)
        self.frames += 1

    def write_audio(self, frames: Iterator) -> bool:
        """Encode audio frames (any format, resampled here) into the AAC stream. True if any were written."""
        import av
        rate = self.audio.codec_context.sample_rate
        resampler = av.AudioResampler(format="fltp", layout=self.audio.layout, rate=rate)
        wrote = 0
        for frame in itertools.chain(frames, [None]):  # None flushes the resampler
            for rf in resampler.resample(frame):
                rf.pts = None
                for packet in self.audio.encode(rf):
                    self.out.mux(packet)
                    wrote += 1
        for packet in self.audio.encode():
            self.out.mux(packet)
            wrote += 1
        return wrote > 0

    def close(self) -> None:
        for packet in self.video.encode():
            self.out.mux(packet)
        self.out.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.tmp, 0o666 & ~umask)  # mkstemp makes 0600; a video is an ordinary file
        os.replace(self.tmp, self.dst)

    def abort(self) -> None:
        try:
            self.out.close()
        except Exception:  # noqa: BLE001 - the file is being thrown away
            pass
        Path(self.tmp).unlink(missing_ok=True)

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_video(frames, dst: str | os.PathLike, fps: float | Fraction = 24, crf: int = 20) -> int:
    """uint8 frames (H, W) or (H, W, 3), all one size, into an H.264 MP4 (example clips, benchmarks, tests)."""
    frames = iter(frames)
    first = next(frames)
    with VideoWriter(dst, first.shape[1], first.shape[0], Fraction(fps).limit_denominator(100000), crf=crf) as w:
        for f in (first, *frames):
            w.write(f)
        return w.frames


def colorize_video(colorizer, src: str | os.PathLike, dst: str | os.PathLike, start: float = 0.0,
                   end: float | None = None, size: int | None = None, hints: dict | None = None,
                   steady: bool = True, settings: TemporalSettings = TemporalSettings(),
                   max_seconds: float | None = None, max_pixels: int | None = None,
                   progress: Progress | None = None, crf: int = 20, preset: str = "veryfast", reference=None) -> dict:
    """Colorize `src` (start/end in seconds cut a segment) into an H.264 MP4 at `dst`, its audio kept; reference:
    see the module. Returns {'frames', 'seconds', 'fps', 'width', 'height', 'audio'}."""
    import av
    refs = references(reference)
    if Path(src).resolve() == Path(dst).resolve():
        raise ColorizerError(f"{dst}: the output would overwrite the input")
    with _open(src) as box:
        info = _info(box, src)
        length = check_limits(info, src, start, end, max_seconds, max_pixels)
        total = round(length * float(info.fps)) if length else info.frames
        audio_from = box.streams.audio[0] if info.has_audio else None
        try:
            with VideoWriter(dst, info.width, info.height, info.fps, audio_from, crf, preset) as out:
                frames = _frames(box, src, info, start, end, max_seconds)
                for _, rgb in _colorized(colorizer, frames, size, hints, settings if steady else None, refs):
                    out.write(rgb)
                    if progress is not None:
                        progress(out.frames, max(total, out.frames))
                audio = out.audio is not None and out.write_audio(_audio_frames(src, start, end))
                done = out.frames
        except av.error.FFmpegError as exc:
            raise ColorizerError(f"{src}: cannot colorize this video ({exc})") from None
    return {"frames": done, "seconds": done / float(info.fps), "fps": float(info.fps), "width": info.width,
            "height": info.height, "audio": audio}


def _audio_frames(src, start: float, end: float | None) -> Iterator:
    """The source's first audio stream, decoded, cut to the segment. A second pass over the file: the video
    pass decodes only the picture."""
    import av
    with _open(src) as box:
        a = box.streams.audio[0]
        rate = a.codec_context.sample_rate or 48000
        if start > 0:
            box.seek(int(start * 1_000_000), backward=True)
        try:
            for frame in box.decode(a):
                t = frame.time or 0.0
                if t + frame.samples / rate <= start:
                    continue
                if end is not None and t >= end:
                    break
                yield frame
        except av.error.FFmpegError as exc:
            raise ColorizerError(f"{src}: its audio is corrupt ({exc})") from None
