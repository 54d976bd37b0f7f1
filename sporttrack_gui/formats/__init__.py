"""Exchange formats: MOTChallenge gt/det/results + seqinfo.ini, SoccerNet gameinfo.ini,
OTB ground truth, YOLO dataset export.

Readers validate and raise :class:`sporttrack_gui.errors.InputError` naming file and line;
writers produce files the readers accept unchanged. Nothing here imports Qt; OpenCV is
imported only by the YOLO exporter, when it runs.
"""

from sporttrack_gui.formats.mot import (
    MotSequence,
    MotTable,
    SeqInfo,
    find_mot_sequence,
    read_mot,
    read_mot_lenient,
    read_seqinfo,
    write_mot,
    write_seqinfo,
)
from sporttrack_gui.formats.otb import read_otb_groundtruth, write_otb_groundtruth
from sporttrack_gui.formats.soccernet import GameInfo, TrackletInfo, read_gameinfo
from sporttrack_gui.formats.yolo import (
    YoloExportSummary,
    YoloSequenceInput,
    export_yolo_dataset,
    read_yolo_labels,
)

__all__ = ["GameInfo", "MotSequence", "MotTable", "SeqInfo", "TrackletInfo",
           "YoloExportSummary", "YoloSequenceInput", "export_yolo_dataset",
           "find_mot_sequence", "read_gameinfo", "read_mot", "read_mot_lenient",
           "read_otb_groundtruth", "read_seqinfo", "read_yolo_labels", "write_mot",
           "write_otb_groundtruth", "write_seqinfo"]
