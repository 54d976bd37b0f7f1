"""Third-party notices and size by component, derived from what a bundle folder contains."""

from __future__ import annotations

import importlib.util
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "packaging"))
_spec = importlib.util.spec_from_file_location("notices", REPO / "packaging" / "notices.py")
notices = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notices)


@pytest.fixture(scope="module")
def index():
    return notices.DistIndex()


def _fake_bundle(root: Path) -> Path:
    bundle = root / "sporttrack"
    base = bundle / "_internal"
    (base / "yaml").mkdir(parents=True)
    (base / "yaml" / "_yaml.so").write_bytes(b"\0" * 2048)
    (base / "numpy").mkdir()
    (base / "numpy" / "core.so").write_bytes(b"\0" * 4096)
    (base / "libsystemthing.so.1").write_bytes(b"\0" * 1024)
    (base / "numpy-2.0.dist-info").mkdir()
    (bundle / "sporttrack").write_bytes(b"\0" * 512)
    return bundle


def test_notices_list_shipped_distributions_with_licence_texts(tmp_path, index):
    bundle = _fake_bundle(tmp_path)
    path = notices.write_notices(bundle, index=index)
    text = path.read_text(encoding="utf-8")
    assert path == bundle / "THIRD_PARTY_NOTICES.txt"
    assert "GNU Affero General Public License" in text
    for dist in ("numpy", "PyYAML"):
        version = metadata.version(dist)
        assert f"{dist} {version} - " in text  # a section with its licence text
    assert "libsystemthing.so.1" in text  # host library named
    assert "\x00" not in text
    assert not list(bundle.glob("*.part"))


def test_sizes_by_component_add_up(tmp_path, index):
    bundle = _fake_bundle(tmp_path)
    sizes = notices.sizes_by_component(bundle, index)
    assert sizes["numpy"] == 4096 and sizes["pyyaml"] == 2048
    assert sizes[notices.UNOWNED] == 1024 and sizes[notices.PYZ_AND_LAUNCHER] == 512


def test_cv2_belongs_to_an_opencv_contrib_build(index):
    owner = index.owner("cv2", set())
    assert owner in ("opencv-contrib-python-headless", "opencv-contrib-python")
    assert "AGPL" in notices.licence_of(metadata.distribution("ultralytics"))
