"""PyJWT, imported without its JWKS client.

`import jwt` runs `jwt.jwks_client`, which imports `urllib.request`, `http.client` and `ssl` to
fetch remote key sets. Our tokens are HS256 under the deployment's own secret and never fetch a
key, yet that chain is ~200 ms of the Worker's ~1.8 s top-level import in Pyodide (B12). So the
JWKS client is registered here as a stand-in that refuses to be used before PyJWT is imported;
everything else of PyJWT (encode, decode, its errors and algorithms) is PyJWT's own.

Import `jwt` from this module, never directly: whichever imports PyJWT first decides.
"""

from __future__ import annotations

import sys
import types
from typing import Any, NoReturn

JWKS_MODULE = "jwt.jwks_client"


class PyJWKClient:
    """Stand-in for `jwt.PyJWKClient`: remote key sets are not used by this platform."""

    def __init__(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise NotImplementedError(
            "PyJWKClient is not loaded: tokens here are HS256 under the deployment's secret "
            "and no key set is fetched (see api.jwt_library)"
        )


def _register_stand_in() -> None:
    if "jwt" in sys.modules or JWKS_MODULE in sys.modules:
        return  # PyJWT is already imported (tests, tools): leave it as it is
    module = types.ModuleType(JWKS_MODULE, PyJWKClient.__doc__)
    module.PyJWKClient = PyJWKClient  # type: ignore[attr-defined]
    sys.modules[JWKS_MODULE] = module


_register_stand_in()

import jwt  # noqa: E402  (after the stand-in, on purpose)

__all__ = ["jwt"]
