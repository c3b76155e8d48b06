"""A stand-in for the `_cloudflare` package that workerd installs in site-packages.

workerd runs a Python Worker's top level (the import of the main module) with entropy disabled:
`crypto.getRandomValues` fails outside a request unless a registered import patch hands out a
counted number of calls (`allow_bad_entropy_calls(n)`, which also fails when fewer than `n` are
used). The `workers` SDK vendored in python_modules registers its package patches (pydantic-core,
FastAPI's and OpenTelemetry's UUID keys, anyio's threads, ...) through this package, from its
`.pth` file. This is an independent implementation of the same interface and rules, so the suite
imports the main module the way the edge does; the gate itself is in the harness (`entropy` in
`_conformance_host`).
"""
