"""Repair: find an old print's scratches, cracks, dust and hairs, and fill them from their surroundings, before the
colours are guessed (Wan et al., "Bringing Old Photos Back to Life", CVPR 2020, made this the first step).

    from colorizer.repair import find_defects, repair_photo
    mask = find_defects("print.jpg")                  # numpy bool (H, W): the defective pixels
    fixed = repair_photo("print.jpg")                 # PIL image, same size and mode, defects filled
    fixed = repair_photo("print.jpg", add=painted)    # with what the detector missed painted in

detect.py: the detector (DefectNet), the fill (fill_defects) and the Repairer that finds and fills; edit.py: a
person's corrections to the map (DefectEdit); fill.py: Telea's fill relaxed, and fill v1-v3 (FillNet); refine.py: the
shipped learned fill (RefineNet, fill v4 on), a correction of the relaxed fill; runtime.py: both networks on ONNX
Runtime; fast_form.py: the detector rewritten, weight for weight, into the graph that ONNX Runtime reads.
"""
from .detect import (ARCH, DETECT_SIDE, DETECT_SIDES, FILL_CHECKPOINT, REPAIR_CHECKPOINT, DefectNet, Repairer, _build,
                     default_repairer, detection_view, fill_defects, find_defects, reading_sides, repair_photo,
                     save_repairer, thin_to_peaks)
from .edit import DefectEdit, as_edit

__all__ = ["ARCH", "DETECT_SIDE", "DETECT_SIDES", "FILL_CHECKPOINT", "REPAIR_CHECKPOINT", "DefectEdit", "DefectNet",
           "Repairer", "_build", "as_edit", "default_repairer", "detection_view", "fill_defects", "find_defects",
           "reading_sides", "repair_photo", "save_repairer", "thin_to_peaks"]
