"""What the page adds around the model: one client, round trips to /colorize against the library's own time.

Starts `python app.py` on a free port (or `--app-root DIR`: another checkout's app, e.g. a git worktree of
an older commit, for before/after figures), then for each photo, 20 calls (after 2 warm-up calls) with
gradio_client, one at a time, and in this process the same photo through `Colorizer.run` (the library
time). Photos: a 1 MP JPEG (the astronaut example as a 1000x1247 black-and-white scan) and a 0.3 MP PNG
(the coffee example at 640x480, color).

    python benchmarks/app_latency.py [--calls 20] [--app-root DIR]

Prints per photo the p50 round trip, the p50 library time, and `overhead_ratio: N.NN` = p50 round trip /
(p50 library time + 0.15 s); the last line is the worse of the two photos (target: at most 2.0).

Two clients are timed, call by call in turn: gradio_client as it comes, and one given `ssl_verify=False`. The
first opens a new httpx client for every upload and download and loads the CA bundle into a fresh TLS
context each time, even for a plain-http URL (80-120 ms apiece on this machine): time spent in the client,
not the app. On a plain-http loopback URL nothing is verified either way, so the second measures the app.
The last line is the default client's.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from app_load import start_server  # noqa: E402


def photos(folder: Path) -> list[Path]:
    scan = folder / "scan-1mp.jpg"
    Image.open(ROOT / "examples" / "astronaut.jpg").convert("L").resize((1000, 1247), Image.BICUBIC).save(scan, quality=90)
    png = folder / "coffee-0.3mp.png"
    Image.open(ROOT / "examples" / "coffee.jpg").convert("RGB").resize((640, 480), Image.BICUBIC).save(png)
    return [scan, png]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--checkpoint", default="effnet-unet")
    ap.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app.py to serve")
    args = ap.parse_args(argv)
    from gradio_client import Client, handle_file

    from colorizer.inference import Colorizer
    proc, url = start_server({}, args.app_root.resolve())
    try:
        clients = {"default": Client(url, verbose=False),
                   "ssl_verify=False": Client(url, verbose=False, ssl_verify=False)}
        client = clients["default"]
        n_params = len(client.view_api(print_info=False, return_format="dict")["named_endpoints"]["/colorize"]["parameters"])
        c = Colorizer.load(args.checkpoint)
        ratios = []
        for photo in photos(Path(tempfile.mkdtemp())):
            size = c.working_size
            call = [handle_file(str(photo)), args.checkpoint, size, c.temperature, ""][:n_params]
            trips, lib = {k: [] for k in clients}, []
            for i in range(args.calls + 2):  # round trips and the library alternate, so drift hits all alike
                for name, cl in clients.items():
                    t0 = time.perf_counter()
                    cl.predict(*call, api_name="/colorize")
                    if i >= 2:
                        trips[name].append(time.perf_counter() - t0)
                t1 = time.perf_counter()
                c.run(str(photo), size=size)
                if i >= 2:
                    lib.append(time.perf_counter() - t1)
            run = statistics.median(lib)
            w, h = Image.open(photo).size
            for name in clients:
                trip = statistics.median(trips[name])
                ratio = trip / (run + 0.15)
                if name == "default":
                    ratios.append(ratio)
                print(f"{photo.name} ({w}x{h}), client {name}: round trip p50 {trip:.3f} s, Colorizer.run p50 "
                      f"{run:.3f} s, overhead_ratio {ratio:.2f}")
        print(f"overhead_ratio: {max(ratios):.2f}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
