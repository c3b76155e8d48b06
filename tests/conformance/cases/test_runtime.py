"""The Worker as uploaded starts the way the edge starts it."""

from __future__ import annotations

import importlib.util
import sys

from _conformance_host import entropy, info  # type: ignore[import-not-found]

BUNDLE = "/session/metadata"


async def test_the_main_module_imports_at_the_top_level():
    assert info.topLevelError is None, info.topLevelError
    main = sys.modules[info.mainModule]
    assert main.__file__ == f"{BUNDLE}/entry.py"
    for name in ("Default", "WalletDO", "SessionDO"):
        assert isinstance(getattr(main, name), type), name


async def test_the_top_level_draws_no_entropy_beyond_what_the_runtime_grants():
    """On the edge a disallowed getentropy() at the top level (os.urandom, secrets, uuid4,
    random, ...) kills the Worker at start-up; the SDK's import patches grant a counted few to
    pydantic-core, FastAPI and OpenTelemetry, and fail start-up when fewer are used."""
    violations = [f"{v.module} ({v.bytes} bytes)" for v in entropy.violations]
    assert not violations, "entropy drawn while importing: " + ", ".join(violations)
    assert int(entropy.granted) > 0  # the SDK's patches were active


async def test_our_modules_and_the_sdk_come_from_the_bundle():
    for name, where in [
        ("api", f"{BUNDLE}/api/"),
        ("casino", f"{BUNDLE}/casino/"),
        ("infra", f"{BUNDLE}/infra/"),
        ("wallet_do", f"{BUNDLE}/wallet_do/"),
        ("session_do", f"{BUNDLE}/session_do/"),
        ("workers", f"{BUNDLE}/python_modules/workers/"),
        ("asgi", f"{BUNDLE}/python_modules/asgi.py"),
        ("fastapi", f"{BUNDLE}/python_modules/fastapi/"),
        ("pydantic_core", f"{BUNDLE}/python_modules/pydantic_core/"),
    ]:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin.startswith(where), (name, spec and spec.origin)
    # wrangler uploads the main module as `entry.py` at the root, not as api/entry.py.
    assert importlib.util.find_spec("api.entry") is None


async def test_pydantic_core_is_the_pyodide_build_and_validates():
    import pydantic
    import pydantic_core

    assert pydantic_core._pydantic_core.__file__.endswith("-wasm32-emscripten.so")

    class Stake(pydantic.BaseModel):
        amount: int

    assert Stake.model_validate_json('{"amount": 100}').amount == 100
    try:
        Stake.model_validate({"amount": "x"})
    except pydantic.ValidationError as error:
        assert error.errors()[0]["type"] == "int_parsing"
    else:
        raise AssertionError("pydantic accepted a non-integer")


async def test_sync_code_in_fastapi_runs_inline_as_on_the_edge():
    """Pyodide has no threads: the SDK's patch makes anyio run sync callables inline."""
    import anyio.to_thread

    assert await anyio.to_thread.run_sync(lambda x: x + 1, 41) == 42


async def test_sys_path_is_the_edges():
    """Our modules before the vendored ones, both before site-packages."""
    bundle = sys.path.index(BUNDLE)
    assert sys.path[bundle + 1] == f"{BUNDLE}/python_modules"
    assert "site-packages" in sys.path[bundle + 2]


async def test_the_sdk_sees_the_compatibility_flags_of_our_date():
    import _cloudflare_compat_flags as flags  # type: ignore[import-not-found]

    assert info.compatibilityDate >= "2026-04-21"
    # The runtime provides no SDK from 2026-04-21: ours is the vendored one (checked above).
    assert flags.enable_python_external_sdk and flags.python_process_pth_files
    assert flags.python_request_headers_preserve_commas
    assert flags.no_such_flag is False


async def test_the_top_level_loads_no_jwks_client_nor_what_it_would_fetch_with():
    """PyJWT's JWKS client (urllib.request, http.client, ssl) is ~200 ms of this import and
    serves no request: tokens are HS256 under the deployment's secret (`api.jwt_library`)."""
    import jwt
    from conformance_edge import top_level_modules  # type: ignore[import-not-found]

    assert "jwt" in top_level_modules
    assert [m for m in ("urllib.request", "ssl") if m in top_level_modules] == []
    try:
        jwt.PyJWKClient("https://keys.example/jwks")
    except NotImplementedError as exc:
        assert "HS256" in str(exc)
    else:
        raise AssertionError("the JWKS client was loaded")
