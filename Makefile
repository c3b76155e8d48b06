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

# mypy --strict, file by file until it covers all of workers/ and local_runtime/ (modules are
# listed, not left to be followed: mypy reads workers/ through the .pth file as an installed
# package and keeps quiet about the errors of modules reached that way).
STRICT := workers/casino workers/infra workers/session_do workers/api/routes workers/api/__init__.py \
	workers/api/accounts.py workers/api/alerts.py workers/api/aml.py workers/api/answers.py \
	workers/api/app.py \
	workers/api/audit.py workers/api/caller.py workers/api/docs.py workers/api/entry.py \
	workers/api/exclusions.py workers/api/game_config.py workers/api/games.py \
	workers/api/headers.py workers/api/jurisdiction.py workers/api/kyc.py workers/api/limits.py \
	workers/api/messages.py workers/api/mfa.py workers/api/permissions.py \
	workers/api/players.py workers/api/problems.py workers/api/providers.py \
	workers/api/reports.py workers/api/responsible.py workers/api/rg_alerts.py \
	workers/api/rtp_watch.py workers/api/scheduled.py workers/api/schemas.py \
	workers/api/security.py workers/api/services.py workers/api/staff.py \
	workers/api/throttle.py workers/api/tokens.py workers/api/vip.py workers/api/wallet.py \
	workers/wallet_do/rpc.py workers/wallet_do/client.py workers/wallet_do/hosted.py \
	local_runtime/__init__.py local_runtime/blobs.py local_runtime/cli.py local_runtime/cron.py \
	local_runtime/faults.py local_runtime/invocation.py local_runtime/kv.py \
	local_runtime/paths.py local_runtime/payments.py local_runtime/providers_cli.py \
	local_runtime/queue.py local_runtime/queue_cli.py local_runtime/runtime.py \
	local_runtime/secrets_store.py local_runtime/seed.py local_runtime/server.py \
	local_runtime/simulate_cli.py local_runtime/verify_cli.py
# Not listed yet: workers/wallet_do (but rpc, client, hosted),
# local_runtime/d1.py and local_runtime/actors.py (being reworked; wallet_do/wallet.py and
# projection.py still have 4 errors between them).

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
