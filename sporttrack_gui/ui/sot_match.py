"""Which ground-truth track a drawn start box means (Qt-free).

Why: SOT curves need the target's true boxes, but the user drew a box, not an id. The
gt track overlapping the start box most on the start frame is taken, if it overlaps
enough to be the same object.
"""

from __future__ import annotations

import numpy as np

from sporttrack_gui.core.iou import iou_matrix_xywh
from sporttrack_gui.ui.run_index import RunIndex


def gt_track_for_box(gt: RunIndex, frame: int, xywh: np.ndarray | tuple,
                     min_iou: float = 0.3) -> int | None:
    """Id of the gt track whose box on ``frame`` overlaps ``xywh`` most (IoU ≥ ``min_iou``)."""
    sl = gt.at(frame)
    if not len(sl):
        return None
    ious = iou_matrix_xywh(np.asarray(xywh, np.float32).reshape(1, 4), sl.xywh)[0]
    best = int(np.argmax(ious))
    return int(sl.track_id[best]) if ious[best] >= min_iou else None
