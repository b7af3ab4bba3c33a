# Two entry points for a fresh machine (Python 3.11, pip, make): `make demo`, `make test`.
# Both create .venv once and reuse it; a changed pyproject.toml reinstalls.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
OUT     := examples/out

.PHONY: setup demo test clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	@mkdir -p $(OUT)
	$(BIN)/slagen validate examples/*.yaml policies/*.yaml

test: setup
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
