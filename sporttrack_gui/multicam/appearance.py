"""Appearance of every local track (kit colour or a ReID model) and teams from kit colour.

Why per track and not per box: association compares tracks, and a mean over a few
sampled boxes is robust to the occasional occluded or blurred one while decoding only
``samples_per_track`` frames per track (grouped so each frame is decoded once).
Teams come from clustering the colour embeddings of all cameras together, so "team A"
means the same kit in every camera.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sporttrack_gui.core.boxes import xywh_to_xyxy
from sporttrack_gui.errors import Cancelled, InputError


def track_appearance(cams: list, spec: str = "colour", *, samples_per_track: int = 8, seed: int = 0,
                     progress: Callable[[int, int], None] | None = None,
                     cancel: Callable[[], bool] | None = None
                     ) -> tuple[dict[tuple[int, int], np.ndarray], dict[tuple[int, int], int]]:
    """(appearance, team) per ``(camera index, local track id)``; ``cams``: workflow CameraData.

    ``spec``: ``colour`` (torso colour histogram; also gives teams) or ``onnx:/model.onnx``.
    """
    from sporttrack_gui.media.source import open_source
    from sporttrack_gui.pitch.teams import assign_teams
    from sporttrack_gui.track.embed import make_embedder

    embedder = make_embedder(spec)
    if embedder is None:
        raise InputError("--appearance needs colour or onnx:/path/to/reid.onnx")
    rng = np.random.default_rng(seed)
    feats: dict[tuple[int, int], np.ndarray] = {}
    for ci, c in enumerate(cams):
        t = c.table
        if not len(t):
            continue
        order = np.argsort(t.track_id, kind="stable")
        ids, starts = np.unique(t.track_id[order], return_index=True)
        bounds = np.append(starts, len(order))
        picked = []
        for k in range(len(ids)):  # tens to hundreds of tracks, not boxes
            rows = order[bounds[k]:bounds[k + 1]]
            picked.append(rng.choice(rows, min(samples_per_track, len(rows)), replace=False))
        rows = np.concatenate(picked)
        out = np.zeros((len(rows), embedder.dim), np.float32)
        src = open_source(c.source)
        try:
            frames = np.unique(t.frame[rows])
            for n, f in enumerate(frames.tolist()):
                if cancel is not None and cancel():
                    raise Cancelled("appearance cancelled")
                sel = np.flatnonzero(t.frame[rows] == f)
                if f > len(src):
                    continue
                out[sel] = embedder(src[f - 1], xywh_to_xyxy(t.xywh[rows[sel]]))
                if progress is not None and n % 50 == 0:
                    progress(n + 1, len(frames))
        finally:
            src.close()
        sums = np.zeros((len(ids), embedder.dim))
        np.add.at(sums, np.searchsorted(ids, t.track_id[rows]), out)
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
        for k, tid in enumerate(ids.tolist()):
            feats[(ci, int(tid))] = sums[k]
    teams: dict[tuple[int, int], int] = {}
    if spec.strip().lower() in ("colour", "color") and len(feats) >= 2:
        keys = list(feats)
        ta = assign_teams(np.arange(len(keys)), np.stack([feats[k] for k in keys]).astype(np.float32))
        teams = {k: int(tm) for k, tm in zip(keys, ta.team.tolist(), strict=True)}
    return feats, teams
