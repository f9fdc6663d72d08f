# Safeguarding Tracker for Teams: the two everyday commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint audit install package validate-package playground screenshots tab-screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/sgtracker serve

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Known advisories we accept, each explained in docs/security.md: --ignore-vuln ID per line.
AUDIT_IGNORE :=

audit: $(STAMP)
	mkdir -p build
	$(BIN)/python tools/runtime_lock.py > build/runtime-requirements.txt
	$(BIN)/pip-audit -r build/runtime-requirements.txt --no-deps --disable-pip \
		--progress-spinner off $(AUDIT_IGNORE)
	$(BIN)/python tools/audit_pins.py build/runtime-requirements.txt $(AUDIT_IGNORE)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

package: $(STAMP)
	$(BIN)/sgtracker package --app-id $${APP_ID:-00000000-0000-0000-0000-000000000000} --out build/app.zip

validate-package: package
	cd manifest && npm ci --silent --no-audit --no-fund
	node manifest/validate.mjs build/app.zip
	$(BIN)/python -m manifest.check_icons build/app.zip

playground: $(STAMP)
	bash tools/playground.sh

screenshots: $(STAMP)
	bash tools/screenshots.sh

tab-screenshots: $(STAMP)
	cd tools/tab-browser && npm ci --silent --no-audit --no-fund
	$(BIN)/python tools/tab_screenshots.py

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build var
