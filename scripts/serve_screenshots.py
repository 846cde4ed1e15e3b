#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Screenshots of rhrt serve's page for docs/serve.md (Playwright + Debian's chromium).

Usage: ``.venv/bin/python scripts/serve_screenshots.py [--out docs/images]``. Serves the bundled
ruleset on a free loopback port, fills in an example case as a practitioner would, and writes
``serve-form.png`` (the form, searching concerns), ``serve-decision.png`` (the decision) and
``serve-mobile.png`` (the decision on a phone-sized screen). The example case is invented.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", help="folder for the PNG files")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    import rhrt
    from rhrt.serve._thread import running
    from rhrt.serve.app import create_app

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with running(create_app(rhrt.load_ruleset())) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=FLAGS)
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(url + "/")
        page.fill("#f-child-age_months", "4")
        page.fill("#concern-search", "baby bruising")
        page.wait_for_timeout(300)
        page.check("#i-bruising-non-mobile-baby")
        page.locator("#concern-search").scroll_into_view_if_needed()
        page.screenshot(path=str(out / "serve-form.png"))
        page.fill("#concern-search", "")
        page.click("button:text('Assess')")
        page.wait_for_selector("#result-title")
        page.screenshot(path=str(out / "serve-decision.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        phone.goto(url + "/")
        phone.check("#i-poor-school-attendance") if phone.locator(
            "#i-poor-school-attendance").count() else None
        phone.check("#i-bruising-non-mobile-baby")
        phone.click("button:text('Assess')")
        phone.wait_for_selector("#result-title")
        phone.screenshot(path=str(out / "serve-mobile.png"))
        browser.close()
    for name in ("serve-form.png", "serve-decision.png", "serve-mobile.png"):
        print(out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
