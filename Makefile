# Two commands: `make run` (the dashboard on the demo store, served by serve.py) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test demo clean-venv

run: $(INSTALLED)
	$(PY) -m relay demo --if-missing
	$(PY) -m streamlit run serve.py --server.port $(PORT)

test: $(INSTALLED)
	$(VENV)/bin/ruff check relay app_pages dashboard.py serve.py benchmarks tests
	$(PY) -m pytest -n auto --dist loadfile

$(INSTALLED): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Revenue Relay needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(INSTALLED)

clean-venv:
	rm -rf $(VENV)
