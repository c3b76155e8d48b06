"""The browser suite's fixtures live in support.py (with the helpers the tests import)."""

from tests.browser.support import browser, console, new_context, page, server  # noqa: F401
