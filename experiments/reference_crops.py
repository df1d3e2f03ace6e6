"""Tune the reference's match settings on `val` by the crops protocol of `evaluate --reference crops`
(colorizer.evaluation.reference): the referenced row's gain over the automatic one, overall and in the unseen part,
and the share of the photo an unrelated reference colours, for each setting given.
    PYTHONPATH=. python experiments/reference_crops.py --n 40 --set "min_similarity=0.6,strong=0.7" "..."
"""
import argparse
from dataclasses import replace

import numpy as np

from colorizer import Colorizer
from colorizer.evaluation.evaluate import tuning_set
from colorizer.evaluation.reference import INPUT_FROM, REFERENCE_TO, _scores, unrelated_index
from colorizer.inference import model_input
from colorizer.reference import Reference, match

p = argparse.ArgumentParser()
p.add_argument("--n", type=int, default=40)
p.add_argument("--set", nargs="*", default=[""], help="key=value,... MatchSettings overrides, one run each")
a = p.parse_args()
data = tuning_set("../shared/data/val", a.n, seed=3)
c = Colorizer.load()
inputs = [np.ascontiguousarray(t[:, INPUT_FROM:]) for t in data.images]
refs = [np.ascontiguousarray(t[:, :REFERENCE_TO]) for t in data.images]
auto = [_scores(np.asarray(c.run(x).color), x) for x in inputs]
for spec in a.set:
    kw = {k: (v == "True" if v in ("True", "False") else float(v)) for k, v in (x.split("=") for x in spec.split(",") if x)}
    for cc in (c, c.partner):
        if cc is not None:
            cc.reference_settings = replace(cc.reference_settings, **kw)
    rows, taken, unrel = [], [], []
    for i, x in enumerate(inputs):
        res = c.run(x, reference=refs[i])
        rows.append(_scores(np.asarray(res.color), x))
        taken.append(res.reference_taken)
        ls = model_input(x, c.working_size)
        unrel.append(match(ls, Reference.load(refs[unrelated_index(i, [""] * len(inputs))]), c.reference_settings).taken)
    d = lambda k: np.mean([r[k] - q[k] for r, q in zip(rows, auto)])  # noqa: E731
    print(f"{spec or 'defaults':<50} dPSNR {d('psnr'):+.2f} dCIEDE {d('ciede2000'):+.2f} unseen {d('psnr_unseen'):+.2f} "
          f"{d('ciede2000_unseen'):+.2f} dwash {d('wash'):+.4f} taken {np.mean(taken):.3f} "
          f"unrelated taken {np.mean(unrel):.4f} (photos with any {np.mean(np.array(unrel) > 0):.2f})", flush=True)
