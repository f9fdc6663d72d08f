# Safeguarding Tracker for Teams: the two everyday commands are `make run` and `make test`.
# TRACKER_SDK=agents picks the Microsoft 365 Agents SDK edge for `make run` and `make playground`
# (and, for `make test`, runs the end-to-end tests on that edge only; unset, they run on both).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint audit install package validate-package playground screenshots a11y \
	tab-screenshots bench clean

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

# WCAG 2.2 AA: axe-core on every sample card, three Teams themes, 360 and 760 px (needs Node 20).
a11y: $(STAMP)
	cd tools/render && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund
	$(BIN)/python -m pytest -q tests/test_card_a11y.py

tab-screenshots: $(STAMP)
	cd tools/tab-browser && npm ci --silent --no-audit --no-fund
	$(BIN)/python tools/tab_screenshots.py

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build var
