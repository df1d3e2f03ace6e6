"""The library's thread pools, each made on first use and shared by every caller after (the app's
concurrent requests included). The work they run is compiled or C code that releases the GIL."""
from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor


@functools.cache
def pool(name: str, workers: int) -> ThreadPoolExecutor:
    """The pool for one kind of work: 'pixels' (colorizer.join's row blocks, the repair's bands of Telea's fill),
    'decode' (full-size JPEG decodes that overlap the model)."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"colorizer-{name}")


def cpu_workers() -> int:
    """How many threads pixel work is split over: torch's thread count (what the user or the app set), at most the
    CPUs and four. (torch is imported here, not above: the command line checks its arguments before loading it.)"""
    import torch
    return max(1, min(4, torch.get_num_threads(), os.cpu_count() or 1))
