# SPDX-License-Identifier: MIT
"""rhrt serve as a person uses it: a real browser (Playwright driving Debian's chromium, no
browser download) against the page served on loopback.

Ticking concerns gives the decision; the page is usable with the keyboard alone; every control
has a label and axe-core (vendored in tests/vendor) finds no WCAG 2 A/AA violation; a hostile
note is shown as text and never runs; the page works with JavaScript disabled; the browser
reports no Content-Security-Policy violation. ``scripts/services`` installs chromium.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

pytest.importorskip("fastapi", reason="rhrt serve needs the serve extra")
pytest.importorskip("uvicorn", reason="rhrt serve needs the serve extra")
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")

import rhrt  # noqa: E402
from rhrt.serve._thread import running  # noqa: E402
from rhrt.serve.app import create_app  # noqa: E402

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("RHRT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
RULESET = rhrt.load_ruleset()
BABY = "bruising-non-mobile-baby"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running(create_app(RULESET)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (scripts/services installs Debian's chromium)")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    p = context.new_page()
    p.csp_violations = []
    p.on("console", lambda m: p.csp_violations.append(m.text)
         if "Content Security Policy" in m.text else None)
    yield p
    assert p.csp_violations == []  # no inline script/style blocked, nothing external asked for
    context.close()


def _wait_for_filter(page: Any) -> None:
    """Until the search has hidden some concerns (polled from here: the page's CSP forbids the
    eval that Playwright's wait_for_function uses)."""
    for _ in range(100):
        shown = page.evaluate("document.querySelectorAll('.concerns li:not([hidden])').length")
        if shown < len(RULESET.model.indicators):
            return
        page.wait_for_timeout(50)
    pytest.fail("the search did not filter the concerns")


def _level(page: Any) -> int:
    text = page.locator("#result-title").inner_text()
    return int(text.split()[1].rstrip(":"))


def test_tick_concerns_then_decision(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.locator("#search-box").is_visible()  # the script's search is on
    page.fill("#concern-search", "non-mobile bruising")
    _wait_for_filter(page)
    visible = page.locator(".concerns li:visible")
    assert 0 < visible.count() < len(RULESET.model.indicators)
    page.check(f"#i-{BABY}")
    page.fill("#f-child-age_months", "4")
    page.click("button:text('Assess')")
    expected = RULESET.assess({"child": {"age_months": 4}, "indicators": [BABY]})
    assert _level(page) == expected.level
    for p in expected.pathways:
        assert page.locator(f"#pathway-{p.id}").count() == 1
    assert page.evaluate("document.activeElement.id") == "result"
    assert page.locator(f"#i-{BABY}").is_checked()  # the form keeps what was entered


def test_keyboard_only(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    kb = page.keyboard
    kb.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    kb.press("Enter")
    # to the search box by Tab alone, then type, tick the first match with Space
    for _ in range(40):
        kb.press("Tab")
        if page.evaluate("document.activeElement.id") == "concern-search":
            break
    else:
        pytest.fail("the concern search is not reachable with Tab")
    kb.type("non-mobile")
    _wait_for_filter(page)
    kb.press("Tab")
    assert page.evaluate("document.activeElement.type") == "checkbox"
    ticked = page.evaluate("document.activeElement.value")
    kb.press("Space")
    assert page.locator(f"#i-{ticked}").is_checked()
    for _ in range(200):
        kb.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Assess":
            break
    else:
        pytest.fail("the Assess button is not reachable with Tab")
    kb.press("Enter")
    page.wait_for_selector("#result-title")
    assert _level(page) == RULESET.assess({"indicators": [ticked]}).level
    assert page.evaluate("document.activeElement.id") == "result"


def _unlabelled(page: Any) -> list[str]:
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        'input:not([type=hidden]), select, textarea, button')).filter(el => {
          if (el.tagName === 'BUTTON') return !el.textContent.trim();
          return el.labels.length === 0 && !el.getAttribute('aria-label');
        }).map(el => el.id || el.name)""")


def _axe(page: Any) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => v.id + ': ' + v.nodes.length + ' ' +
            v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', '));
    }""")
    return list(found)


def test_labels_and_accessibility(browser: Any, base_url: str) -> None:
    context = browser.new_context(bypass_csp=True)  # to inject axe-core; the page is unchanged
    page = context.new_page()
    page.goto(base_url + "/")
    assert _unlabelled(page) == []
    assert _axe(page) == []
    page.check(f"#i-{BABY}")
    page.click("button:text('Assess')")
    page.wait_for_selector("#result-title")
    assert _unlabelled(page) == []
    assert _axe(page) == []
    page.fill("#f-child-age_years", "90")  # the refusal page too (out of range)
    page.click("button:text('Assess')")
    page.wait_for_selector("#error")
    assert _axe(page) == []
    context.close()


def test_hostile_note_is_text_and_never_runs(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.check(f"#i-{BABY}")
    page.locator(f"#i-{BABY} ~ details summary").click()
    page.fill(f"#n-{BABY}", HOSTILE)
    page.fill("#f-override-reason", HOSTILE)
    page.fill("#f-override-role", "duty worker")
    page.select_option("#f-override-level", "4")
    page.click("button:text('Assess')")
    page.wait_for_selector("#result-title")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0
    assert "pwned=2" in page.locator("#referral").input_value()  # kept, as (Markdown) text
    assert HOSTILE in page.locator(".rhrt-override").inner_text()


def test_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    assert not page.locator("#search-box").is_visible()  # no dead search box
    assert page.locator("[data-copy]").first.is_hidden()  # nor copy buttons
    page.check(f"#i-{BABY}")
    page.click("button:text('Assess')")
    page.wait_for_selector("#result-title")
    assert _level(page) == RULESET.assess({"indicators": [BABY]}).level
    with page.expect_download() as info:
        page.click("button:text('Download referral (Markdown)')")
    download = info.value
    assert download.suggested_filename == "referral.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert RULESET.catalogue.get(BABY).text[:30] in text
    context.close()
