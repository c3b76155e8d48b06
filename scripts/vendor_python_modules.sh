#!/usr/bin/env bash
# Vendor the Worker's Python packages from PyPI for the edge (Python 3.14 on Pyodide) into
# python_modules/, where wrangler picks them up ("Vendored Modules") and the conformance suite
# loads them.
#
#   bash scripts/vendor_python_modules.sh           # no-op when up to date
#   FORCE=1 bash scripts/vendor_python_modules.sh   # re-vendor
#
# Cloudflare's `workers` SDK (workers-runtime-sdk) is vendored too: from compatibility_date
# 2026-04-21 (flag `enable_python_external_sdk`) the runtime no longer provides it and expects a
# vendored copy, as `pywrangler sync` makes. Our compatibility_date is 2026-09-08.
#
# Idempotent: a stamp (hash of the requirement list, the target platform and this script) is kept
# outside python_modules (wrangler would upload it), in .wrangler/vendor/; the install goes to a
# temporary directory that replaces python_modules only when complete.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
REQUIREMENTS=(
  fastapi==0.165.0
  pydantic==2.14.4
  pyjwt==2.15.1
  pyotp==2.12.1
  python-multipart==0.0.34
  workers-runtime-sdk==1.9.5
)
PLATFORM=(--only-binary=:all: --python-version 3.14 --implementation cp --abi cp314
          --platform pyemscripten_2026_0_wasm32 --platform any)
STATE_DIR=.wrangler/vendor
STAMP_FILE="$STATE_DIR/python_modules.stamp"

stamp="$( (printf '%s\n' "${REQUIREMENTS[@]}" "${PLATFORM[@]}"; cat "$SELF") | sha256sum | cut -d' ' -f1)"

up_to_date() {
  [ "$(cat "$STAMP_FILE" 2>/dev/null)" = "$stamp" ] \
    && [ -d python_modules/pydantic_core ] && [ -f python_modules/workers/__init__.py ] \
    && [ -f python_modules/fastapi/__init__.py ] && [ -d python_modules/jwt ] \
    && [ -f python_modules/pyotp/__init__.py ]
}

if [ -z "${FORCE:-}" ] && up_to_date; then
  echo "python_modules is up to date"
  exit 0
fi

if [ -d workers/python_modules ]; then
  echo "workers/python_modules must not exist (wrangler refuses it inside the module root)" >&2
  exit 1
fi

mkdir -p "$STATE_DIR"
tmp="$(mktemp -d "$STATE_DIR/python_modules.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile --no-warn-script-location \
  --target "$tmp" "${PLATFORM[@]}" "${REQUIREMENTS[@]}"

# Nothing the Worker cannot use: console scripts, byte code compiled by the host CPython.
rm -rf "$tmp/bin"
find "$tmp" -name __pycache__ -type d -prune -exec rm -rf {} +

# pydantic-core must be the Pyodide (wasm32 emscripten) build, not a host wheel.
if ! ls "$tmp"/pydantic_core/_pydantic_core.*wasm32-emscripten*.so >/dev/null 2>&1; then
  echo "pydantic_core in $tmp is not a wasm32-emscripten build:" >&2
  ls "$tmp"/pydantic_core >&2
  exit 1
fi

rm -rf python_modules
mv "$tmp" python_modules
trap - EXIT
echo "$stamp" > "$STAMP_FILE"
echo "vendored into python_modules: $(ls python_modules | grep -v -e '\.dist-info$' | tr '\n' ' ')"
