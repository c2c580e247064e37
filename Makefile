# Two commands for a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench install clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# Reinstall only when the project's declared dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kehu --demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

# Both databases side by side: SQLite, and PostgreSQL on a cluster of the bench's own.
bench: $(STAMP)
	bash bench/postgres.sh $(BIN)/python -m bench

clean:
	rm -rf $(VENV) build *.egg-info
