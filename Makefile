# eecc: two commands do everything on a fresh machine.
#   make demo   set up, then compile the shipped B-LeNet end to end and run its C simulation
#   make test   set up, then run every test (lit/FileCheck, pytest) and the linters
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: demo test setup lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,csim,examples,distributed]"
	touch $@

demo: setup
	$(BIN)/eecc compile examples/blenet/blenet.onnx --profile examples/blenet/profile.json -o $(OUT)/blenet --force
	$(BIN)/eecc csim $(OUT)/blenet --timed

test: setup
	$(BIN)/lit -sv test/filecheck
	$(BIN)/pytest -n auto --dist loadfile
	$(MAKE) --no-print-directory lint

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(OUT) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
