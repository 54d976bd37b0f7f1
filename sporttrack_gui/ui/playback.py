"""The play head: current frame, play/pause at fps × speed, steps and jumps.

Separate from the widgets so the timeline, the toolbar, the shortcuts and the tests
all drive one object; it emits ``frameChanged`` and never decodes anything itself.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

SPEEDS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 4.0, 8.0)


class Playback(QObject):
    """Frame numbers are 1-based like everywhere in the project."""

    frameChanged = Signal(int)
    playingChanged = Signal(bool)
    rangeChanged = Signal(int)  # frame count
    speedChanged = Signal(float)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._frame = 1
        self._count = 0
        self._fps = 25.0
        self._speed = 1.0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

    # ---- state -------------------------------------------------------------
    @property
    def frame(self) -> int:
        return self._frame

    @property
    def frame_count(self) -> int:
        return self._count

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def speed(self) -> float:
        return self._speed

    def is_playing(self) -> bool:
        return self._timer.isActive()

    def set_media(self, frame_count: int, fps: float) -> None:
        """New sequence: stop, clamp the play head and tell listeners the range."""
        self.pause()
        self._count = max(0, int(frame_count))
        self._fps = float(fps) if fps and fps > 0 else 25.0
        self.rangeChanged.emit(self._count)
        self.seek(min(max(self._frame, 1), max(self._count, 1)), force=True)

    def set_speed(self, speed: float) -> None:
        self._speed = max(0.01, float(speed))
        if self.is_playing():
            self._timer.start(self._interval_ms())
        self.speedChanged.emit(self._speed)

    # ---- transport -----------------------------------------------------------
    def play(self) -> None:
        if self._count == 0 or self.is_playing():
            return
        if self._frame >= self._count:
            self.seek(1)
        self._timer.start(self._interval_ms())
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.is_playing():
            self._timer.stop()
            self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.is_playing() else self.play()

    def seek(self, frame: int, force: bool = False) -> None:
        frame = min(max(int(frame), 1), max(self._count, 1))
        if frame != self._frame or force:
            self._frame = frame
            self.frameChanged.emit(frame)

    def step(self, n: int) -> None:
        self.seek(self._frame + n)

    def step_seconds(self, seconds: float) -> None:
        self.step(round(seconds * self._fps))

    def first(self) -> None:
        self.seek(1)

    def last(self) -> None:
        self.seek(self._count)

    def _interval_ms(self) -> int:
        return max(1, round(1000.0 / (self._fps * self._speed)))

    def _tick(self) -> None:
        if self._frame >= self._count:
            self.pause()
            return
        self.seek(self._frame + 1)


def format_time(frame: int, fps: float) -> str:
    """``m:ss.cc`` of a 1-based frame (frame 1 is t = 0)."""
    seconds = max(0.0, (frame - 1) / (fps or 25.0))
    minutes, sec = divmod(seconds, 60.0)
    hours, minutes = divmod(int(minutes), 60)
    if hours:
        return f"{hours}:{minutes:02d}:{sec:05.2f}"
    return f"{minutes}:{sec:05.2f}"
