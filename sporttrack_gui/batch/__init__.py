"""Batch processing of many matches (a season, a benchmark split): one task per match on Ray,
resumable runs, and the season table gathered from the matches' project files."""

from sporttrack_gui.batch.engine import BatchProgress, BatchSummary, run_batch
from sporttrack_gui.batch.manifest import MatchJob, load_jobs
from sporttrack_gui.batch.season import Season, collect_season, write_season
from sporttrack_gui.batch.stitch import continue_run
from sporttrack_gui.batch.task import BatchSettings, MatchOutcome, process_match

__all__ = ["BatchProgress", "BatchSettings", "BatchSummary", "MatchJob", "MatchOutcome",
           "Season", "collect_season", "continue_run", "load_jobs", "process_match",
           "run_batch", "write_season"]
