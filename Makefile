# Neural Bricks. `make book` builds the website, `make test` proves it.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
JOBS    ?= 2
# One BLAS thread per process: the small matrices here run ~100x slower when
# OpenBLAS threads fight over 2 cores (and pytest-xdist already uses both).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: book test unit notebooks site lab bench workshop clean venv

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

## book: build the website into _build/html (warnings are errors)
book: $(STAMP)
	@# _config.yml is the source; `jupyter-book config sphinx` turns it into conf.py (not committed)
	@# so that sphinx-build can read and execute the notebooks on $(JOBS) cores (`jupyter-book build`
	@# has no -j). -W: warnings are errors; -n: every reference must resolve; -E: nothing cached.
	$(BIN)/jupyter-book config sphinx . > /dev/null
	PYTHONPATH=tools $(BIN)/sphinx-build -E -j $(JOBS) -W -n --keep-going -b html -d _build/doctrees . _build/html
	$(BIN)/python tools/postbuild.py _build/html
	@echo "Open _build/html/index.html in a browser (or: $(BIN)/python -m http.server -d _build/html)."

## test: unit tests, every notebook under book/ through nbval, the book build, then the site checks
test: $(STAMP)
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory notebooks
	$(MAKE) --no-print-directory book
	$(MAKE) --no-print-directory site

## unit: the library's unit tests and every docstring example (doctests)
## (--ignore: tests/conftest.py is loaded as a conftest, not collected as a doctest module,
## whose name would clash with lib/conftest.py's)
unit: $(STAMP)
	$(BIN)/python -m pytest tests lib/bricks --doctest-modules --ignore=tests/conftest.py -n $(JOBS) --dist loadscope -m "not site"

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
	$(BIN)/python -m pytest tests -m site -n $(JOBS) --dist load

## lab: JupyterLab on book/; chapters (.md) open as notebooks (jupytext), MyST renders (jupyterlab-myst)
lab: $(STAMP)
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(BIN)/jupyter lab book

bench: $(STAMP)
	$(BIN)/python bench/run.py

workshop: $(STAMP)
	$(BIN)/python tools/workshop.py

clean:
	rm -rf _build workshop
