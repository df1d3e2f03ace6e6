"""A person's corrections to the repair's defect map (the app's touch-up brush, `repair_photo(mask=, add=, remove=)`,
Colorizer's `repair_mask`)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..errors import ColorizerError


@dataclass(frozen=True)
class DefectEdit:
    """A person's corrections to the defect map: `mask` replaces the automatic map; `add` marks damage it missed
    and `remove` what it took by mistake (the photo's own detail). Each a bool array (H, W) at the photo's size
    (or any size: enlarged or shrunk to it, nearest), or None. remove wins where both are painted."""
    mask: np.ndarray | None = None
    add: np.ndarray | None = None
    remove: np.ndarray | None = None

    @property
    def key(self) -> str:
        """A digest of the edit: a photo kept decoded is repaired once per edit."""
        h = hashlib.blake2b(digest_size=12)
        for m in (self.mask, self.add, self.remove):
            h.update(b"-" if m is None else np.packbits(np.asarray(m, bool)).tobytes() + str(np.shape(m)).encode())
        return h.hexdigest()

    def crop(self, rows: slice, cols: slice, shape: tuple[int, int]) -> "DefectEdit":
        """The same edit on the part of a photo of `shape` inside rows and cols (a scan's frame left out)."""
        def cut(m):
            return None if m is None else _fit(m, shape)[rows, cols]
        return DefectEdit(cut(self.mask), cut(self.add), cut(self.remove))

    def apply(self, found, shape: tuple[int, int]) -> np.ndarray:
        """The map to fill: the automatic one (`found()`, called only when needed) edited."""
        out = _fit(self.mask, shape).copy() if self.mask is not None else np.asarray(found(), bool).copy()
        if self.add is not None:
            out |= _fit(self.add, shape)
        if self.remove is not None:
            out &= ~_fit(self.remove, shape)
        return out


def _fit(mask, shape: tuple[int, int]) -> np.ndarray:
    """A bool mask at `shape` (nearest), checked: a clear error for what cannot be a mask."""
    m = np.asarray(mask)
    if m.ndim == 3:  # a painted image: any channel set
        m = m.any(axis=2)
    if m.ndim != 2 or m.size == 0:
        raise ColorizerError(f"a defect mask is a 2-D array (H, W), not one of shape {m.shape}")
    m = m.astype(bool, copy=False)
    if m.shape != tuple(shape):
        ys = np.minimum((np.arange(shape[0]) * m.shape[0]) // shape[0], m.shape[0] - 1)
        xs = np.minimum((np.arange(shape[1]) * m.shape[1]) // shape[1], m.shape[1] - 1)
        m = m[ys[:, None], xs[None, :]]
    return m


def as_edit(edit: "DefectEdit | np.ndarray | None") -> "DefectEdit | None":
    """A DefectEdit from what a caller gives: an edit, a whole mask (bool array: it replaces the map), or None."""
    if edit is None or isinstance(edit, DefectEdit):
        return edit
    return DefectEdit(mask=np.asarray(edit))


__all__ = ["DefectEdit", "as_edit"]
