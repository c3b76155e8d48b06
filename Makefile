# The two commands: `make dev` (set up and serve at http://127.0.0.1:8787) and `make test`
# (set up and run every suite). Everything else is a part of those two.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATE ?= .wrangler/state
HOST ?= 127.0.0.1
PORT ?= 8787

.PHONY: dev test setup lint audit unit integration e2e js browser conformance bench soak clean chromium

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -c 'import site, pathlib; pathlib.Path(site.getsitepackages()[0], "casino-workers.pth").write_text(str(pathlib.Path("workers").resolve()) + "\n")'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	node scripts/copy_swagger_ui.mjs
	touch $@

dev: setup
	$(BIN)/casino dev --host $(HOST) --port $(PORT) --state $(STATE)

# mypy --strict on all of workers/ and local_runtime/ (every module of both is checked, none is
# reached only through the .pth file).
STRICT := workers local_runtime

lint: setup
	$(BIN)/ruff check workers local_runtime tests bench scripts
	$(BIN)/ruff format --check workers local_runtime tests bench scripts
	$(BIN)/mypy --strict $(STRICT)

# Known vulnerabilities with a fix, in the locked Python requirements and the npm packages that
# ship (needs the package registries; see scripts/audit_dependencies.py).
audit: setup
	$(BIN)/python scripts/audit_dependencies.py

unit: setup
	$(BIN)/pytest tests/unit

integration: setup
	$(BIN)/pytest tests/integration

e2e: setup
	$(BIN)/pytest tests/e2e

# Debian's Chromium for the browser suite (Playwright cannot download its own browsers here).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The front end's pure modules (money, words, CPF, fairness, the exclusion-list preview).
js: setup
	node --test tests/js/

browser: setup chromium
	$(BIN)/pytest tests/browser

conformance: setup
	bash scripts/vendor_python_modules.sh
	node tests/conformance/harness.mjs

test: lint audit unit integration e2e js browser conformance

bench: setup
	$(BIN)/python -m bench

# The bank-invariant test, longer: more players, clients and operations under faults (set
# BANK_SEED to replay a run; each run prints its seed).
soak: setup
	BANK_OPS=$${BANK_OPS:-400} BANK_PLAYERS=$${BANK_PLAYERS:-6} BANK_CLIENTS=$${BANK_CLIENTS:-4} \
	BANK_ADVERSARY_ROUNDS=$${BANK_ADVERSARY_ROUNDS:-200} \
	$(BIN)/pytest tests/integration/test_bank_invariants.py -s -p no:logging

clean:
	rm -rf $(VENV) node_modules python_modules .wrangler
