"""Render the app icon ``resources/icons/sporttrack.svg`` to ``sporttrack.png`` and ``.ico``.

Why: the SVG is the one source of the icon (the GUI uses it directly); PyInstaller wants a
``.ico`` on Windows and a PNG elsewhere, and window managers/desktop files want a PNG. The
rasters are generated (not drawn by hand) so they never drift from the SVG. Run it after
changing the SVG: ``.venv/bin/python packaging/make_icons.py``; the PNG/ICO are committed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
#: sizes inside the .ico: Windows picks 16/32/48 for lists and 256 for large views
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZE = 256


def render_png(svg: Path, size: int) -> bytes:
    """PNG bytes of ``svg`` rendered at ``size`` x ``size`` with a transparent background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - keep it alive
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def ico_from_pngs(pngs: dict[int, bytes]) -> bytes:
    """A Windows ``.ico`` holding PNG-compressed images (valid since Windows Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, blobs = b"", b""
    for s in sizes:
        blob = pngs[s]
        dim = 0 if s >= 256 else s  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def main() -> int:
    svg = ICONS / "sporttrack.svg"
    pngs = {s: render_png(svg, s) for s in ICO_SIZES}
    (ICONS / "sporttrack.png").write_bytes(pngs[PNG_SIZE])
    (ICONS / "sporttrack.ico").write_bytes(ico_from_pngs(pngs))
    print(f"wrote {ICONS / 'sporttrack.png'} ({PNG_SIZE} px) and {ICONS / 'sporttrack.ico'} "
          f"({', '.join(map(str, ICO_SIZES))} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
