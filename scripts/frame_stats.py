"""How often colorizer.frame takes a folder's photos for framed scans, and which ones.

On a folder of ordinary photos every hit is a false one (the photo inside loses its edge's color); on a
folder of scans, a miss leaves the frame to be painted. Prints the count, then each hit with its frame.

    python scripts/frame_stats.py ../shared/data/val-ood [--show 20]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.errors import ColorizerError  # noqa: E402
from colorizer.frame import find_frame  # noqa: E402
from colorizer.imageio import find_images, load_image  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folder")
    ap.add_argument("--show", type=int, default=20, help="list at most this many hits")
    args = ap.parse_args()
    files, hits = find_images(args.folder), []
    for f in files:
        try:
            im = load_image(f)
        except ColorizerError:
            continue
        frame = find_frame(im.pixels)
        if frame is not None:
            hits.append((f, im.shape, frame))
    print(f"{len(hits)} of {len(files)} photos taken for framed ({100 * len(hits) / max(1, len(files)):.2f}%)")
    for f, shape, frame in hits[: args.show]:
        print(f"  {Path(f).relative_to(args.folder)} {shape[1]}x{shape[0]}: top {frame.top}, bottom {frame.bottom}, "
              f"left {frame.left}, right {frame.right}")


if __name__ == "__main__":
    main()
