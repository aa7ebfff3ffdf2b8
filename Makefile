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
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going --all
	$(BIN)/python tools/postbuild.py _build/html
	@echo "Open _build/html/index.html in a browser (or: $(BIN)/python -m http.server -d _build/html)."

## test: unit tests, every notebook under book/ through nbval, then the site checks
test: $(STAMP)
	$(BIN)/python -m pytest tests -n $(JOBS) --dist loadscope -m "not site"
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -n $(JOBS) --dist loadscope \
	    -p no:cacheprovider --durations=0 book
	$(MAKE) --no-print-directory site

## site: build the book if needed, then open it in headless Chromium
site: $(STAMP)
	test -f _build/html/index.html || $(MAKE) --no-print-directory book
	$(BIN)/python -m pytest tests -m site -v

lab: $(STAMP)
	$(BIN)/jupyter lab book

bench: $(STAMP)
	$(BIN)/python bench/run.py

workshop: $(STAMP)
	$(BIN)/python tools/workshop.py

clean:
	rm -rf _build workshop
