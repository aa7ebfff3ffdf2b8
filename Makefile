# Neural Bricks. `make book` builds the website, `make test` proves it.
# Students: `make student` (only what the chapters need), `make check`, `make lab-student`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
STUDENT_STAMP := $(VENV)/.installed-student
JOBS    ?= 2
LAB_CONFIG := tools/lab-config/pyproject.toml $(wildcard tools/lab-config/*/*.json)
# pip never asks whether a newer pip exists (it would ask the internet)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# One BLAS thread per process: the small matrices here run ~100x slower when
# OpenBLAS threads fight over 2 cores (and pytest-xdist already uses both).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: gettext lab-zh lab-student-zh workshop-zh book test unit notebooks site lab lab-student student check wheelhouse offline-install \
        offline-check bench workshop clean venv

venv: $(STAMP)

## The Python floor: the pins need 3.11.5 (numpy 2.4.6, pandas 3.1.1, matplotlib 3.11.2, scipy 1.17.1,
## ipython 9.18.1 declare Requires-Python >=3.11, soupsieve 4.1.3 (JupyterLab's) >=3.11.5). Checked
## before a venv is made, and on an existing .venv (one made by an older Python is named, not reused).
define need_python
	@if [ -x $(BIN)/python ]; then py=$(BIN)/python; else py="$(PY)"; fi; \
	if ! command -v $$py >/dev/null 2>&1; then \
	  echo "No Python found as '$$py'. Neural Bricks needs Python 3.11.5 or newer."; found=none; \
	elif $$py -c 'import sys; sys.exit(sys.version_info < (3, 11, 5))'; then exit 0; \
	else found=$$($$py -c 'import platform; print(platform.python_version())'); \
	  echo "Neural Bricks needs Python 3.11.5 or newer (numpy 2.4 and pandas 3.1 need 3.11); '$$py' is Python $$found."; \
	  if [ "$$py" = "$(BIN)/python" ]; then echo "The .venv was made by it: remove it (rm -rf .venv), then run make again with a newer Python."; fi; \
	fi; \
	echo "Install Python 3.11 (its latest 3.11.x) or newer, then run make with it, e.g. make PY=python3.11 $(MAKECMDGOALS):"; \
	echo "  Ubuntu 22.04 / WSL: sudo add-apt-repository ppa:deadsnakes/ppa && sudo apt install python3.11 python3.11-venv"; \
	echo "                      (or without sudo: pip install --user uv && uv python install 3.11, then PY=\"\$$(uv python find 3.11)\")"; \
	echo "  macOS:   the installer from python.org, or brew install python@3.11 (the system python3 is 3.9)"; \
	echo "  Windows: the installer from python.org, then the commands in README.md, section Windows"; \
	exit 1
endef

# Installs into .venv: $(1) the requirements file; the library (editable) and the lab settings after it.
define install
	$(need_python)
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(1) -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall ./tools/lab-config
endef

## The full environment (authoring: website, tests) includes the student one.
$(STAMP): requirements.txt requirements-student.txt constraints.txt pyproject.toml $(LAB_CONFIG)
	$(call install,requirements.txt)
	touch $(STUDENT_STAMP) $(STAMP)

## student: only what the chapters need (no jupyter-book, pytest or playwright)
student: $(STUDENT_STAMP)
	@echo "Installed the student set into $(VENV). Next: make check, then make lab-student."

$(STUDENT_STAMP): requirements-student.txt constraints.txt pyproject.toml $(LAB_CONFIG)
	$(call install,requirements-student.txt)
	touch $(STUDENT_STAMP)

## check: a pre-flight check for a laptop (< 30 s): Python, the pinned imports, a kernel, a widget
## round trip, the CJK font, a headless figure; a pass/fail table
check: $(STUDENT_STAMP)
	$(BIN)/python tools/preflight.py

## wheelhouse: every wheel one platform needs, to install with no internet (tools/wheelhouse.py):
## PLATFORM=native (default) | win-amd64 | macos-arm64 | macos-x86_64 | linux-x86_64 | linux-aarch64,
## PYVER=3.11 (the students' Python), FULL=1 for requirements.txt instead of the student set,
## WHEELHOUSE=DIR (default wheelhouse/PLATFORM-pyXY). Needs the internet (PyPI).
PLATFORM ?= native
PYVER    ?= 3.11
WH_PY     = $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PY))
wheelhouse:
	$(WH_PY) tools/wheelhouse.py --platform $(PLATFORM) --python $(PYVER) $(if $(FULL),--full) $(if $(WHEELHOUSE),--dest $(WHEELHOUSE))

## offline-install: .venv from a wheelhouse with no network (pip never asks an index), then the stamps,
## so that no later make target runs pip: make offline-install WHEELHOUSE=DIR [FULL=1]
OFFLINE_PIP = $(BIN)/python -m pip install --quiet --no-index --find-links $(WHEELHOUSE)
offline-install:
	@test -n "$(WHEELHOUSE)" || { echo "usage: make offline-install WHEELHOUSE=DIR [FULL=1] (DIR from make wheelhouse)"; exit 1; }
	@test -d "$(WHEELHOUSE)" || { echo "no wheelhouse at $(WHEELHOUSE)"; exit 1; }
	$(need_python)
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(OFFLINE_PIP) -r $(if $(FULL),requirements.txt,requirements-student.txt) -c constraints.txt
	$(OFFLINE_PIP) --no-deps -e .
	$(OFFLINE_PIP) --no-deps --force-reinstall ./tools/lab-config
	touch $(STUDENT_STAMP) $(if $(FULL),$(STAMP))
	@echo "Installed from $(WHEELHOUSE) with no network. Next: make check, then make lab-student."

## offline-check: the offline recipe end to end, as CI runs it after make test: a wheelhouse of this
## platform (from PyPI, through pip's cache), then tests/book/test_offline_install.py installs it
## into a fresh copy of the repository with pip's network off and runs make check there
offline-check: $(STAMP)
	$(BIN)/python tools/wheelhouse.py --dest _build/wheelhouse
	BRICKS_WHEELHOUSE=$(abspath _build/wheelhouse) $(BIN)/python -m pytest tests/book/test_offline_install.py -q -n 0 -s

## book: build the website into _build/html (warnings are errors)
book: $(STAMP)
	@# _config.yml is the source; `jupyter-book config sphinx` turns it into conf.py (not committed)
	@# so that sphinx-build can read and execute the notebooks on $(JOBS) cores (`jupyter-book build`
	@# has no -j). -W: warnings are errors; -n: every reference must resolve; -E: nothing cached.
	$(BIN)/jupyter-book config sphinx . > /dev/null
	rm -rf _build/html _build/zh   # no page of an earlier build (a renamed chapter) survives
	PYTHONPATH=tools:lib $(BIN)/sphinx-build -E -j $(JOBS) -W -n --keep-going -b html -d _build/doctrees . _build/html
	$(BIN)/python tools/postbuild.py _build/html
	@# The Chinese edition (issue 24): the same pages, replaying the English build's outputs and
	@# numbers (tools/i18n_replay.py: nothing executes twice), the text from locales/zh_CN.
	@# First the drift test: every English message must have a current translation.
	$(MAKE) --no-print-directory gettext
	$(BIN)/python tools/i18n.py check
	PYTHONPATH=tools:lib $(BIN)/sphinx-build -E -j $(JOBS) -W -n --keep-going -b html -D language=zh_CN -D nb_replay=replay -d _build/zh/doctrees . _build/zh/html
	$(BIN)/python tools/postbuild.py _build/zh/html --language zh_CN --into _build/html/zh
	@echo "Open _build/html/index.html in a browser; the Chinese edition is _build/html/zh/index.html (or: $(BIN)/python -m http.server -d _build/html)."

## gettext: the English messages of every page (_build/gettext/*.pot; nothing executes: a message is
## the English source, never an output); then `python tools/i18n.py update` merges them into
## locales/zh_CN, and `tools/i18n.py dump/load` are how a translator fills them in.
gettext: $(STAMP)
	$(BIN)/jupyter-book config sphinx . > /dev/null
	PYTHONPATH=tools:lib $(BIN)/sphinx-build -E -j $(JOBS) -Q -b gettext -D nb_execution_mode=off -D nb_replay= -d _build/gettext-doctrees . _build/gettext

## test: unit tests, every notebook under book/ through nbval, the book build, then the site checks
test: $(STAMP)
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory notebooks
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory site

## unit: the library's unit tests and every docstring example (doctests), then ruff (rules in pyproject.toml)
## (--ignore: tests/conftest.py is loaded as a conftest, not collected as a doctest module,
## whose name would clash with lib/conftest.py's)
unit: $(STAMP)
	$(BIN)/python -m pytest tests lib/bricks --doctest-modules --ignore=tests/conftest.py -n $(JOBS) --dist loadscope -m "not site"
	$(BIN)/ruff check lib tools tests bench

## notebooks: every chapter (MyST Markdown, book/**/*.md) exported to .ipynb, then run by nbval,
## with the workshop's unsolved student set (tools/workshop.py: your-turn stubs) in the same run;
## --trace records which library code each chapter shows and runs (tests/book/test_book_code.py checks it)
notebooks: $(STAMP)
	$(BIN)/python tools/notebooks.py export _build/notebooks --trace
	$(BIN)/python tools/workshop.py --out _build/workshop
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -n $(JOBS) --dist loadscope _build/notebooks _build/workshop/student
	BRICKS_SHOWN_RESULTS=_build/notebooks $(BIN)/python -m pytest tests/book/test_book_code.py -q

## site: open the built website (make book) in headless Chromium, network blocked
site: $(STAMP)
	$(BIN)/python -m pytest tests -m site -n $(JOBS) --dist loadfile  # test_report sums its own file's checks: one worker per file

## lab: JupyterLab on book/ (the instructors' notebooks, solutions in the cells); chapters (.md) open
## as notebooks (jupytext, set by tools/lab-config), MyST renders (jupyterlab-myst).
## Options after LAB_ARGS, e.g. make lab LAB_ARGS="--port 8899 --no-browser"; as root (a container,
## a cloud VM) --allow-root is added.
LAB_ARGS ?=
ROOT_ARGS = $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
lab: $(STUDENT_STAMP)
	$(BIN)/jupyter lab $(ROOT_ARGS) $(LAB_ARGS) book

## lab-student: JupyterLab on workshop/student (made by tools/workshop.py the first time, then kept:
## a student's answers are never overwritten; `make workshop` remakes it)
lab-student: $(STUDENT_STAMP)
	test -d workshop/student || $(BIN)/python tools/workshop.py
	$(BIN)/jupyter lab $(ROOT_ARGS) $(LAB_ARGS) workshop/student

## lab-zh, lab-student-zh: the same in Chinese (中文版): every chapter's Markdown from the catalogs
## in locales/zh_CN (tools/i18n.py book), the code cells byte for byte the English ones.
lab-zh: $(STUDENT_STAMP)
	$(BIN)/python tools/i18n.py book workshop/zh/book
	$(BIN)/jupyter lab $(ROOT_ARGS) $(LAB_ARGS) workshop/zh/book

lab-student-zh: $(STUDENT_STAMP)
	test -d workshop/zh/student || $(MAKE) --no-print-directory workshop-zh
	$(BIN)/jupyter lab $(ROOT_ARGS) $(LAB_ARGS) workshop/zh/student

bench: $(STAMP)
	$(BIN)/python bench/run.py

## workshop: the student and instructor sets, English (workshop/student, workshop/instructor) and
## Chinese (workshop/zh/student, workshop/zh/instructor)
workshop: $(STAMP)
	$(BIN)/python tools/workshop.py
	$(MAKE) --no-print-directory workshop-zh

workshop-zh: $(STAMP)
	$(BIN)/python tools/i18n.py book _build/zh/book
	$(BIN)/python tools/workshop.py --book _build/zh/book --out workshop/zh

clean:
	rm -rf _build workshop
