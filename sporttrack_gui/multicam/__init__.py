"""Several cameras, one match: camera groups, global identities, fused pitch positions.

Qt-free; ``sporttrack multicam`` and the GUI's camera-group view share
:func:`sporttrack_gui.multicam.workflow.run_multicam`.
"""
