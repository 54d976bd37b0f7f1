"""seqinfo.ini, sequence folder discovery and SoccerNet gameinfo.ini."""

from __future__ import annotations

import pytest
from conftest import shared_path

from sporttrack_gui.errors import InputError
from sporttrack_gui.formats.mot import SeqInfo, find_mot_sequence, read_seqinfo, write_seqinfo
from sporttrack_gui.formats.soccernet import parse_tracklet, read_gameinfo


def test_snmot116_sequence_parts(snmot116):
    for start in (snmot116, snmot116 / "gt", snmot116 / "gt" / "gt.txt", snmot116 / "img1"):
        seq = find_mot_sequence(start)
        assert seq.root == snmot116
        assert seq.gt == snmot116 / "gt" / "gt.txt"
        assert seq.det == snmot116 / "det" / "det.txt"
        assert seq.img_dir == snmot116 / "img1"
        assert seq.gameinfo == snmot116 / "gameinfo.ini"
    info = seq.info()
    assert info == SeqInfo("SNMOT-116", "img1", 25.0, 750, 1920, 1080, ".jpg")


def test_mot17_mini_seqinfo_is_only_a_claim():
    root = shared_path("mot17-mini", "train", "MOT17-02-FRCNN")
    seq = find_mot_sequence(root)
    assert seq.info().seq_length == 600  # what the file says ...
    assert len(list(seq.img_dir.glob("*.jpg"))) == 4  # ... not what exists
    assert seq.gameinfo is None


def test_sportsmot_seqinfo_without_trailing_newline():
    root = shared_path("sportsmot-gt", "sportsmot-val", "v_00HRwkvvjtQ_c011")
    seq = find_mot_sequence(root)
    assert seq.img_dir is None and seq.det is None  # ground truth only
    assert seq.info().width == 1280 and seq.info().seq_length == 734


def test_seqinfo_round_trip_keeps_extra_keys(tmp_path):
    info = SeqInfo("clip", "frames", 29.97, 1200, 1280, 720, ".png", extra={"camera": "main"})
    path = tmp_path / "seqinfo.ini"
    write_seqinfo(path, info)
    assert read_seqinfo(path) == info
    write_seqinfo(path, SeqInfo("x", frame_rate=25, seq_length=3, width=4, height=5))
    assert "frameRate=25\n" in path.read_text()


@pytest.mark.parametrize(("text", "message"), [
    ("[Other]\nname=x\n", "no [Sequence] section"),
    ("[Sequence]\nname=x\nimDir=img1\nframeRate=25\nseqLength=10\nimWidth=1920\n"
     "imExt=.jpg\n", "missing key imHeight"),
    ("[Sequence]\nname=x\nimDir=img1\nframeRate=fast\n", "line 4: frameRate must be a number"),
    ("[Sequence]\nname=x\nimDir=img1\nframeRate=25\nseqLength=10.5\n",
     "line 5: seqLength must be a whole number"),
    ("[Sequence]\nname=x\nimDir=img1\nframeRate=25\nseqLength=-3\n", "line 5: seqLength must be > 0"),
    ("[Sequence]\nname x\n", "line 2: expected key=value"),
])
def test_bad_seqinfo(tmp_path, text, message):
    path = tmp_path / "seqinfo.ini"
    path.write_text(text)
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        read_seqinfo(path)


def test_not_a_sequence(tmp_path):
    with pytest.raises(InputError, match="not a MOTChallenge sequence folder"):
        find_mot_sequence(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        find_mot_sequence(tmp_path / "nope")


def test_snmot116_gameinfo(snmot116):
    info = read_gameinfo(snmot116 / "gameinfo.ini")
    assert info.name == "SNMOT-116" and len(info.tracklets) == 27
    assert info.fields["num_tracklets"] == "27" and info.fields["actionClass"] == "Corner"
    p7 = info.tracklets[7]
    assert (p7.role, p7.team, p7.jersey, p7.display_name) == ("player", "right", 34,
                                                              "player right #34")
    assert info.tracklets[5].jersey is None and info.tracklets[5].label == "A"
    assert info.tracklets[19].role == "goalkeeper" and info.tracklets[19].jersey == 1
    assert info.tracklets[20].display_name == "ball" and info.tracklets[20].team is None
    assert info.tracklets[25].display_name == "referee side bottom"
    roles = info.roles()
    assert sorted(set(roles.values())) == ["ball", "goalkeeper", "player", "referee"]
    assert sum(r == "referee" for r in roles.values()) == 2


def test_unknown_role_and_bad_keys(tmp_path):
    assert parse_tracklet(3, "coach team left;").role == "other"
    path = tmp_path / "gameinfo.ini"
    path.write_text("[Sequence]\nname=x\ntrackletID_x= ball;1\n")
    with pytest.raises(InputError, match="line 3: expected trackletID_<number>"):
        read_gameinfo(path)
    path.write_text("[Sequence]\nname=x\ntrackletID_4=\n")
    with pytest.raises(InputError, match="line 3: trackletID_4 has no description"):
        read_gameinfo(path)
