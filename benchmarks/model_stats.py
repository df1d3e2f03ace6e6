"""Parameter count and CPU forward time at 256x256 (batch 1, median of 10) for every registered architecture.

    python benchmarks/model_stats.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from colorizer.inference import Colorizer  # noqa: E402
from colorizer.models import create_model, list_models  # noqa: E402


def main() -> None:
    shipped = {e["metadata"]["arch"]: e["metadata"].get("arch_kwargs", {}) for e in Colorizer.available()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'architecture':<20}{'params (M)':>12}{'forward 256x256 (ms)':>24}")
    x = torch.rand(1, 1, 256, 256) - 0.5
    for name in list_models():
        model = create_model(name, **shipped.get(name, {})).eval()
        params = sum(p.numel() for p in model.parameters())
        times = []
        with torch.inference_mode():
            for i in range(12):
                t0 = time.perf_counter()
                model.predict_ab(x)
                if i >= 2:
                    times.append(time.perf_counter() - t0)
        print(f"{name:<20}{params / 1e6:>12.2f}{statistics.median(times) * 1000:>24.1f}")


if __name__ == "__main__":
    main()
