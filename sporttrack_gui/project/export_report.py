"""An export's result dict in words: one headline and every warning, for people.

Why here and Qt-free: the CLI prints the result as ``key: value`` lines and its
warnings on stderr; the GUI used to show the raw dict (``{'train': 150, 'val': 0,
'test': 0}``) and none of the warnings. Both now read the same list from
:func:`yolo_report`, so a warning the CLI prints cannot be missing in the window.
"""

from __future__ import annotations

from typing import Any


def yolo_report(result: dict[str, Any]) -> tuple[str, list[str]]:
    """(headline, warnings) of ``project.exporter.export_yolo``'s result."""
    images = result.get("images", {})
    boxes = result.get("boxes", {})
    n_img, n_box = sum(images.values()), sum(boxes.values())
    splits = " · ".join(f"{k} {v:,}" for k, v in images.items())
    seqs = {k: len(v) for k, v in result.get("splits", {}).items() if v}
    where = ", ".join(f"{k}: {n} sequence{'s' if n != 1 else ''}" for k, n in seqs.items())
    copied = int(result.get("copied_images", 0))
    how = (f"{copied:,} original image file(s) copied unchanged"
           + (f", {n_img - copied:,} video frame(s) written as JPEG quality 95"
              if n_img > copied else "")) if copied else \
        "video frames written once as JPEG quality 95"
    classes = ", ".join(result.get("classes", []))
    headline = (f"Wrote {n_img:,} images and {n_box:,} labels to {result.get('out_dir', '')}\n"
                f"Images per split: {splits} ({where})\n"
                f"Classes: {classes}\n{how[0].upper()}{how[1:]}.")
    warnings = [str(n) for n in result.get("notes", [])]
    if result.get("dropped_invalid"):
        warnings.append(f"{result['dropped_invalid']:,} box(es) outside the image or smaller "
                        "than 2 px once clipped were left out")
    if result.get("skipped_class"):
        warnings.append(f"{result['skipped_class']:,} box(es) of a class not in the class "
                        "list were left out")
    return headline, warnings
