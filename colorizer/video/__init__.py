"""Video in and out (`stream`: PyAV's FFmpeg, the audio kept) and colours steady from frame to frame
(`temporal`: optical flow). `Colorizer.colorize_video` is the entry point."""
from .stream import colorize_video, is_video, iter_video, probe  # noqa: F401
