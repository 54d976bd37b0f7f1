"""The headless run loop shared by the CLI and the GUI worker (no Qt in here)."""

from sporttrack_gui.pipeline.config import PipelineConfig, PipelineResult, StageTiming
from sporttrack_gui.pipeline.progress import Progress, ProgressCallback
from sporttrack_gui.pipeline.run import run_pipeline

__all__ = ["PipelineConfig", "PipelineResult", "Progress", "ProgressCallback", "StageTiming",
           "run_pipeline"]
