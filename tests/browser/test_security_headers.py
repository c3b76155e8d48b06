"""The pages under the platform's Content-Security-Policy (no inline script, no other origin)
and its framing protection: every page and Swagger UI work with no violation reported and
nothing fetched elsewhere, and no other origin can frame the deposit page."""

from __future__ import annotations

PAGES = ("/", "/ops.html", "/verify.html")


def test_pages_and_the_api_docs_run_under_the_csp_with_no_violation(server, page):
    violations: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((server.base_url, "data:", "blob:"))
            else elsewhere.append(r.url)
        ),
    )
    for path in PAGES:
        response = page.goto(server.base_url + path)
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        page.wait_for_selector("body[data-ready='1']")
        page.wait_for_load_state("networkidle")
    page.goto(server.base_url + "/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    assert page.locator(".opblock-summary-path", has_text="/v1/auth/login").count() >= 1
    assert not violations, violations
    assert not elsewhere, elsewhere


def test_the_deposit_page_cannot_be_framed(server, browser):
    """Clickjacking: another origin's page that frames ours gets nothing rendered."""
    page = browser.new_page()
    page.set_content(f'<iframe id="f" src="{server.base_url}/#/wallet"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    assert frame.locator("#deposit-form").count() == 0
    assert frame.locator("#login-form").count() == 0
    page.close()
