"""Before/after pictures of a decoding change: gray | plain decoding | the checkpoint's decoding | truth.

"Plain" is the annealed mean at the given temperature with bilinear upsampling and no confidence gating
(what every checkpoint before v2 did); the right-hand column is what the checkpoint ships.

    python scripts/decode_compare.py weights/effnet-unet.safetensors PHOTO... -o docs/decode_before_after.png
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from PIL import Image  # noqa: E402

from colorizer.inference import Colorizer  # noqa: E402
from colorizer.evaluation.figures import grid  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoint")
    ap.add_argument("photos", nargs="+")
    ap.add_argument("--plain-temperature", type=float, default=0.38)
    ap.add_argument("--tile", type=int, default=200)
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    c = Colorizer.load(args.checkpoint)
    shipped = c.decoding
    plain = replace(shipped, temperature=args.plain_temperature, prior_correction=0.0, confidence=0.0, guide_radius=0)
    rows = []
    for p in args.photos:
        img = Image.open(p).convert("RGB")
        img = img.resize((args.tile * img.width // min(img.size), args.tile * img.height // min(img.size)))
        c.decoding = plain
        r = c.run(img)
        c.decoding = shipped
        rows.append([r.gray, r.color, c.colorize(img), img])
    grid(rows, ["gray input", f"plain decode (T {args.plain_temperature})",
                f"shipped decode (T {shipped.temperature}, gate {shipped.confidence:g}, guide r {shipped.guide_radius})",
                "original"], tile=args.tile).save(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
