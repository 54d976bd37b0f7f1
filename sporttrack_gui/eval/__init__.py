"""Evaluation: MOT (CLEAR, IDF1, HOTA), single-object (OTB/LaSOT) and detector metrics.

Nothing here imports Qt; the GUI and the CLI call these functions with plain tables.
"""

from __future__ import annotations

from sporttrack_gui.eval.mot import MotAccumulator, evaluate_many, evaluate_mot

__all__ = ["MotAccumulator", "evaluate_many", "evaluate_mot"]
