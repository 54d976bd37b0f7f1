# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
VPY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export SPORTTRACK_HOME ?= $(CURDIR)/.sporttrack-home

.PHONY: setup run test lint bench bundle package clean

setup: $(STAMP)

$(VPY):
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

# torch first, alone and pinned: only `torch==2.13.0` picks the local CPU wheel.
# The headless opencv-contrib last with --no-deps: ultralytics' opencv-python (and
# datumaro's opencv-python-headless) would otherwise own cv2 and CSRT/KCF would vanish.
# Headless because the GUI is PySide6: cv2's own windows are never used, and the GUI
# build would put Qt5 (and OpenSSL 1.1) libraries into the Qt6 app and its bundle.
$(STAMP): $(VPY) pyproject.toml constraints.txt
	$(VPY) -m pip install -q --upgrade pip setuptools wheel
	$(VPY) -m pip install -q -c constraints.txt torch==2.13.0
	$(VPY) -m pip install -q -c constraints.txt -e ".[dev,batch]"
	$(VPY) -m pip install -q --force-reinstall --no-deps opencv-contrib-python-headless==5.0.0.93
	touch $(STAMP)

run: setup
	$(VPY) main.py $(ARGS)

test: setup
	$(VPY) -m pytest -q $(PYTEST_ARGS)

lint: setup
	$(VPY) -m ruff check sporttrack_gui tests benchmarks plugins packaging main.py

bench: setup
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(VPY) $$f || exit 1; done

# Only PyInstaller is added (pinned): reinstalling the project itself with pip could let
# opencv-python take cv2 back from opencv-contrib. The build ends with the bundle's own
# --self-test; BUNDLE_ARGS=--no-clean reuses the analysis cache while trimming.
bundle: setup
	$(VPY) -m pip install -q -c constraints.txt "pyinstaller>=6.22,<7"
	$(VPY) packaging/build.py --self-test $(BUNDLE_ARGS)

# The bundle as a .deb (installs under /opt/sporttrack, /usr/bin/sporttrack, desktop entry,
# icons) and a .tar.gz, both in dist/; DEB_COMPRESS=xz for a smaller, slower-to-build .deb.
# Builds the bundle first when dist/sporttrack is missing.
DEB_COMPRESS ?= gzip
package: setup
	test -x dist/sporttrack/sporttrack || $(MAKE) bundle
	$(VPY) packaging/linux_package.py --compress $(DEB_COMPRESS)

clean:
	rm -rf $(VENV) build dist .pytest_cache
