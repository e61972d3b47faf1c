# `make site`: on a fresh machine, make the venv, install, build output/ from content/.
# `make test`: install what the tests need too, then run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: site test clean

site: $(VENV)/.installed
	$(BIN)/python build.py build

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-test.txt
	touch $@

clean:
	rm -rf $(VENV) output .output.* .pytest_cache
