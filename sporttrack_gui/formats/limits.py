"""Sane bounds for numbers read from user files or typed on the command line.

Why one place: every reader (MOT, YOLO, seqinfo, SoccerNet, project import) and every
CLI option must refuse the same absurd values, before they become a loop over 10^8
empty frames, a Qt int overflow in the GUI or an ``OverflowError`` deep in numpy.
The limits are far above any real sequence: 10^7 frames is 4.6 days at 25 fps.
"""

from __future__ import annotations

#: last frame number a sequence may have (1-based)
MAX_FRAME = 10_000_000
#: largest track id (stored as int64 in the project, int32-safe for the GUI and exports)
MAX_TRACK_ID = 2**31 - 1
#: largest class index
MAX_CLASS = 2**31 - 1
#: image width/height in pixels
MAX_IMAGE_SIDE = 100_000
#: frames per second
MAX_FPS = 1_000.0
#: box coordinates/sizes in pixels (a box 10^6 px away from the image is a broken file)
MAX_COORD = 1e6
