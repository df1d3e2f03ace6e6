"""The library's thread pools, each made on first use and shared by every caller after (the app's
concurrent requests included). The work they run is compiled or C code that releases the GIL."""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor


@functools.cache
def pool(name: str, workers: int) -> ThreadPoolExecutor:
    """The pool for one kind of work: 'pixels' (colorizer.join's row blocks), 'decode' (full-size JPEG
    decodes that overlap the model)."""
    return ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"colorizer-{name}")
