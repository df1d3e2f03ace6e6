"""Load test for the Gradio app: N concurrent clients x M requests each against /colorize.

By default it starts `python app.py` itself on a free port (so it can read the server's peak memory,
VmHWM from /proc) and stops it afterwards; `--url` targets a running app instead (`--pid` for its memory).

    python benchmarks/app_load.py --clients 8 --requests 25 --checkpoint effnet-unet

Prints latency percentiles, throughput, errors and the server's peak RSS.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    total = 0.0
    pids = [pid] + [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def start_server(env_extra: dict, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """app.py of the checkout at `root` on a free port; returns once it answers."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(root), **env_extra)
    proc = subprocess.Popen([sys.executable, str(root / "app.py"), "--port", str(port)], cwd=tempfile.mkdtemp(),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                raise SystemExit("the app exited during start-up")
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start in 120 s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default=None)
    ap.add_argument("--pid", type=int, default=None)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=25)
    ap.add_argument("--checkpoint", default="effnet-unet")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--image", default=str(ROOT / "examples" / "chelsea.jpg"))
    args = ap.parse_args()
    from gradio_client import Client, handle_file

    proc = None
    if args.url:
        url, pid = args.url, args.pid
    else:
        proc, url = start_server({})
        pid = proc.pid
    latencies, errors, lock = [], [], threading.Lock()

    def worker(k: int) -> None:
        client = Client(url, verbose=False)
        for _ in range(args.requests):
            t0 = time.perf_counter()
            try:
                client.predict(handle_file(args.image), args.checkpoint, args.size, 0.38, "", api_name="/colorize")
                with lock:
                    latencies.append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - every failure is counted and shown
                with lock:
                    errors.append(f"client {k}: {type(exc).__name__}: {str(exc)[:120]}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    peak = _peak_rss_mb(pid) if pid else float("nan")
    if proc:
        proc.terminate()
        proc.wait(timeout=30)
    total = args.clients * args.requests
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [float("nan")] * 99
    print(f"{args.clients} clients x {args.requests} requests = {total}, checkpoint {args.checkpoint}, "
          f"image {Path(args.image).name}, working size {args.size}")
    print(f"ok {len(latencies)}, errors {len(errors)}, wall {wall:.1f} s, throughput {len(latencies) / wall:.2f} req/s")
    print(f"latency s: p50 {q[49]:.2f}  p90 {q[89]:.2f}  p99 {q[98]:.2f}  max {max(latencies, default=float('nan')):.2f}")
    print(f"server peak RSS: {peak:.0f} MB")
    for e in errors[:5]:
        print("  " + e)


if __name__ == "__main__":
    main()
