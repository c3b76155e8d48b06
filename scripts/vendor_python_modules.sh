#!/usr/bin/env bash
# Vendor the Worker's Python dependencies from PyPI for the edge (Python 3.14, Pyodide):
#   python_modules/            what wrangler uploads beside the Worker (never the `workers` SDK:
#                              the runtime provides it)
#   tests/conformance/.sdk/    Cloudflare's `workers` SDK (workers-runtime-sdk), for the
#                              conformance suite only
# Idempotent: skipped when the requirement list has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PIP=".venv/bin/python -m pip"
REQUIREMENTS=(fastapi==0.165.0 pydantic==2.14.4 pyjwt==2.15.1 python-multipart==0.0.34)
SDK=(workers-runtime-sdk==1.9.5)
PLATFORM=(--only-binary=:all: --python-version 3.14 --implementation cp --abi cp314
          --platform pyemscripten_2026_0_wasm32 --platform any)
stamp="$(printf '%s\n' "${REQUIREMENTS[@]}" "${SDK[@]}" | sha256sum | cut -c1-16)"

if [ "$(cat python_modules/.stamp 2>/dev/null)" != "$stamp" ]; then
  rm -rf python_modules tests/conformance/.sdk
  $PIP install --quiet --target python_modules "${PLATFORM[@]}" "${REQUIREMENTS[@]}"
  $PIP install --quiet --target tests/conformance/.sdk --no-deps "${PLATFORM[@]}" "${SDK[@]}"
  rm -rf python_modules/bin python_modules/*.dist-info/RECORD
  echo "$stamp" > python_modules/.stamp
  echo "vendored: $(ls python_modules | grep -v dist-info | tr '\n' ' ')"
fi
