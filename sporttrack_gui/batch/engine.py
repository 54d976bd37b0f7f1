"""Run a batch of matches: one Ray task per match, or in this process (``engine="local"``).

Why Ray: a season is hundreds of independent matches; Ray gives a local pool of worker
processes by default and the same code on a cluster (``address="ray://host:10001"``),
retries a task whose worker process died (a SIGKILL, an out-of-memory kill) and lets the
driver follow progress. Each task writes its own project file, so workers never contend
for a lock. A failed match is an outcome, not an exception (see ``task.process_match``):
Ray's retries are kept for crashed workers, and a retried match resumes from its last
committed frame instead of starting again.

Ray's own files go under the app folder (or a short temporary path when that would make
Ray's socket names too long), its dashboard and usage statistics are off, and nothing is
written to the home folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sporttrack_gui.batch.manifest import MatchJob
from sporttrack_gui.batch.season import write_batch_file
from sporttrack_gui.batch.task import BatchSettings, MatchOutcome, process_match
from sporttrack_gui.errors import SportTrackError

#: Unix socket paths are limited to 107 bytes; Ray puts ~60 bytes of its own below its dir
_MAX_RAY_DIR = 45


@dataclass
class BatchProgress:
    """What the driver knows at one moment (plain values for a progress line or a GUI)."""

    total: int
    done: int = 0
    failed: int = 0
    running: int = 0
    elapsed_s: float = 0.0
    eta_s: float | None = None
    last: MatchOutcome | None = None


@dataclass
class BatchSummary:
    outcomes: list[MatchOutcome] = field(default_factory=list)
    wall_s: float = 0.0
    engine: str = "ray"
    workers: int = 1

    @property
    def failed(self) -> list[MatchOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            out[o.status] = out.get(o.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"engine": self.engine, "workers": self.workers, "wall_s": round(self.wall_s, 3),
                "counts": self.counts(), "matches": [o.to_dict() for o in self.outcomes]}


ProgressFn = Callable[[BatchProgress], None]


def ray_temp_dir() -> Path:
    """Where Ray keeps sessions, logs and sockets: the app folder, or a short temp path."""
    from sporttrack_gui.runtime import app_home

    preferred = app_home() / "ray"
    if len(str(preferred)) <= _MAX_RAY_DIR:
        return preferred
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"sporttrack-ray-{uid}"


def _ray_env() -> dict[str, str]:
    """Environment every worker gets: offline ultralytics, one torch thread per task (the
    parallelism is one match per CPU), and this process's import path."""
    keep = ("SPORTTRACK_HOME", "PYTHONPATH", "YOLO_CONFIG_DIR", "YOLO_OFFLINE",
            "YOLO_AUTOINSTALL", "MPLCONFIGDIR", "SPORTTRACK_PLUGIN_PATH")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update({"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                "RAY_USAGE_STATS_ENABLED": "0"})
    return env


def _local_token(folder: Path) -> None:
    """Token authentication for the local Ray, with the token kept in Ray's folder of the
    app rather than in ``~/.ray`` (where Ray would create one). A user's own settings win."""
    if "RAY_AUTH_MODE" in os.environ or "RAY_AUTH_TOKEN_PATH" in os.environ:
        return
    token = folder / "auth_token"
    if not token.is_file():
        import secrets

        try:
            fd = os.open(token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # a batch started at the same moment made it: share it
            fd = None
        if fd is not None:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    os.environ["RAY_AUTH_MODE"] = "token"
    os.environ["RAY_AUTH_TOKEN_PATH"] = str(token)
    if "ray" in sys.modules:  # imported earlier: make it read the settings again
        try:
            from ray._raylet import Config

            Config.initialize("")
        except Exception:  # noqa: BLE001 - an older/newer Ray: it then reads them at init
            pass


def _prune_sessions(folder: Path, keep: int = 3, min_age_s: float = 86400.0) -> None:
    """Ray leaves a session folder (logs, sockets) per start; keep the newest few and any
    younger than a day (another batch may be using it)."""
    import shutil

    sessions = sorted((p for p in folder.glob("session_2*") if p.is_dir()),
                      key=lambda p: p.stat().st_mtime, reverse=True)
    now = time.time()
    for old in sessions[keep:]:
        if now - old.stat().st_mtime > min_age_s:
            shutil.rmtree(old, ignore_errors=True)


def _start_ray(jobs: int, address: str | None):
    # Ray reads its authentication settings when it is imported: set them first.
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    tmp = None
    if not address:
        tmp = ray_temp_dir()
        tmp.mkdir(parents=True, exist_ok=True)
        _local_token(tmp)
        _prune_sessions(tmp)
    try:
        import ray
    except ImportError:
        raise SportTrackError("the batch engine needs Ray: pip install 'sporttrack[batch]' "
                              "(or run with --engine local)") from None
    if ray.is_initialized():
        return ray, False
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                              "configure_logging": False,
                              "runtime_env": {"env_vars": _ray_env()}}
    if address:
        kwargs["address"] = address
    else:
        kwargs.update(num_cpus=jobs, _temp_dir=str(tmp))
    try:
        ray.init(**kwargs)
    except Exception as exc:  # connection refused, bad address, ...
        raise SportTrackError(f"cannot start Ray{f' at {address}' if address else ''}: "
                              f"{exc}") from None
    return ray, True


def _remote_match(job: MatchJob, settings: BatchSettings) -> MatchOutcome:
    """Ray task body (module-level so that it pickles by reference)."""
    return process_match(job, settings)


def run_batch(jobs: Sequence[MatchJob], settings: BatchSettings, *, engine: str = "ray",
              workers: int = 1, address: str | None = None, retries: int = 2,
              progress: ProgressFn | None = None) -> BatchSummary:
    """Process every job; returns one outcome per job, in the jobs' order."""
    if workers < 1:
        raise SportTrackError(f"--jobs must be >= 1, got {workers}")
    if retries < 0:
        raise SportTrackError(f"--retries must be >= 0, got {retries}")
    if engine == "local":
        summary = _run_local(jobs, settings, progress)
    elif engine == "ray":
        summary = _run_ray(jobs, settings, workers, address, retries, progress)
    else:
        raise SportTrackError(f"unknown engine {engine!r}: ray or local")
    write_batch_file(Path(settings.out_dir), batch_record(settings, summary))
    return summary


def batch_record(settings: BatchSettings, summary: BatchSummary) -> dict[str, Any]:
    """What ``batch.json`` keeps: the settings and every outcome (failures included, which
    may have no project file for the season table to find)."""
    return {"settings": {"run": settings.run, "tracker": settings.tracker,
                         "detector": settings.detector, "stride": settings.stride,
                         "tracker_params": settings.tracker_params},
            **summary.to_dict()}


def _tick(state: BatchProgress, t0: float, workers: int) -> BatchProgress:
    state.elapsed_s = time.perf_counter() - t0
    finished = state.done + state.failed
    left = state.total - finished
    state.running = min(workers, left)
    state.eta_s = (state.elapsed_s / finished * left) if finished else None
    return state


def _record(state: BatchProgress, outcome: MatchOutcome) -> None:
    state.last = outcome
    if outcome.status == "failed":
        state.failed += 1
    else:
        state.done += 1


def _run_local(jobs: Sequence[MatchJob], settings: BatchSettings,
               progress: ProgressFn | None) -> BatchSummary:
    t0 = time.perf_counter()
    state = BatchProgress(total=len(jobs))
    outcomes = []
    for job in jobs:
        if progress:
            progress(_tick(state, t0, 1))
        outcome = process_match(job, settings)
        outcomes.append(outcome)
        _record(state, outcome)
    if progress:
        progress(_tick(state, t0, 1))
    return BatchSummary(outcomes, time.perf_counter() - t0, "local", 1)


def _run_ray(jobs: Sequence[MatchJob], settings: BatchSettings, workers: int,
             address: str | None, retries: int, progress: ProgressFn | None) -> BatchSummary:
    ray, started = _start_ray(workers, address)
    t0 = time.perf_counter()
    try:
        remote = ray.remote(num_cpus=1, max_retries=retries, retry_exceptions=False)(
            _remote_match)
        if address:
            workers = max(1, int(ray.cluster_resources().get("CPU", workers)))
        refs = {remote.remote(job, settings): i for i, job in enumerate(jobs)}
        outcomes: list[MatchOutcome | None] = [None] * len(jobs)
        state = BatchProgress(total=len(jobs))
        pending = list(refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1, timeout=0.5)
            for ref in ready:
                i = refs[ref]
                outcome = _result(ray, ref, jobs[i], settings)
                outcomes[i] = outcome
                _record(state, outcome)
            if progress:
                progress(_tick(state, t0, workers))
        return BatchSummary([o for o in outcomes if o is not None], time.perf_counter() - t0,
                            "ray", workers)
    finally:
        if started:
            ray.shutdown()


def _result(ray, ref, job: MatchJob, settings: BatchSettings) -> MatchOutcome:
    try:
        return ray.get(ref)
    except Exception as exc:  # the worker died more often than the retries allow
        reason = type(exc).__name__
        msg = str(exc).strip().splitlines()
        detail = msg[0] if msg else ""
        return MatchOutcome(job.name, "failed", str(job.project_path(settings.out_dir)),
                            f"worker lost ({reason}{': ' + detail if detail else ''}); "
                            "run the batch again to resume from the last committed frame")
