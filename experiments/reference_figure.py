"""The reference yardstick's grid (colorizer.evaluation.reference): gray input, automatic, reference, referenced
result, truth, for evenly spread photos of val-historical and then val-ood, and last two plates with an unrelated
reference (the result should equal the automatic one). Also the README's one-line figure (--one).
    PYTHONPATH=. python experiments/reference_figure.py -o docs/images/reference-grid.jpg
    PYTHONPATH=. python experiments/reference_figure.py --one -o docs/images/reference.jpg
"""
import argparse

import numpy as np
from PIL import Image

from colorizer import Colorizer
from colorizer.evaluation.evaluate import evenly_spaced, load_eval_set
from colorizer.evaluation.figures import grid
from colorizer.evaluation.reference import INPUT_FROM, REFERENCE_TO, unrelated_index, usable
from colorizer.join import join

p = argparse.ArgumentParser()
p.add_argument("--data", default="../shared/data")
p.add_argument("--per-set", type=int, default=6)
p.add_argument("--one", action="store_true", help="one val-historical plate, as the README shows it")
p.add_argument("-o", "--out", required=True)
a = p.parse_args()
c = Colorizer.load()
rows, extra, labels = [], [], ["gray input", "automatic", "reference", "with the reference", "truth"]
sets = [("val-historical", 1 if a.one else a.per_set, 2 if not a.one else 0), ("val-ood", 0 if a.one else a.per_set, 0)]
for name, n, unrelated in sets:
    if not n:
        continue
    data = load_eval_set(f"{a.data}/{name}", 256)
    ok = usable(data.images)
    picks = [i for i in evenly_spaced(list(range(len(data.images))), n + 1)[1:] if ok[i]]  # skip the first: a cover
    if a.one:
        picks = [evenly_spaced(list(range(len(data.images))), 4)[2]]
    for k, i in enumerate(picks + picks[:unrelated]):
        full = data.images[i]
        inp = np.ascontiguousarray(full[:, INPUT_FROM:])
        other = k >= len(picks)
        ref = data.images[unrelated_index(i, data.sources, ok)][:, :REFERENCE_TO] if other else full[:, :REFERENCE_TO]
        ref = np.ascontiguousarray(ref)
        gray = join(inp, np.zeros((2, 1, 1), np.float32))
        (extra if other else rows).append([Image.fromarray(x) for x in (gray, np.asarray(c.colorize(inp)), ref,
                                                   np.asarray(c.colorize(inp, reference=ref)), inp)])
        print(name, i, "unrelated" if other else "", flush=True)
grid(rows + extra, labels, tile=160).convert("RGB").save(a.out, quality=88)
print("wrote", a.out)
