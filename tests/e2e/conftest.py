"""A real Chromium driven by Playwright against the live test server, with axe-core for accessibility.

axe-core comes from the npm registry: the first browser test that needs it installs it
into tests/e2e/.axe (ignored by git); without npm those checks are skipped, saying why.
"""
import fcntl
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.browser import DESKTOP

CHROMIUM = os.environ.get("TRACKER_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
AXE_DIR = Path(__file__).resolve().parent / ".axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "axe-core@4"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, installed from the npm registry on first use."""
    AXE_DIR.mkdir(exist_ok=True)
    with open(AXE_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers: one installs, the others wait and read it
        if not AXE_JS.exists():
            npm = shutil.which("npm")
            if npm is None:
                pytest.skip("npm is not installed, so axe-core cannot be fetched for the accessibility checks "
                            "(apt-get install npm)")
            done = subprocess.run([npm, "install", "--prefix", str(AXE_DIR), "--no-save", "--no-package-lock",
                                   "--no-audit", "--no-fund", AXE_VERSION],
                                  capture_output=True, text=True, timeout=600)
            if done.returncode != 0 or not AXE_JS.exists():
                pytest.fail(f"npm install {AXE_VERSION} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def page_for(browser, server):
    """A new browser tab: ``page_for("en-GB", width=390)`` is an English phone."""
    contexts = []

    def make(locale="fr-FR", width=DESKTOP, axe: str | None = None):
        phone = width <= 480
        context = browser.new_context(locale=locale, base_url=server,
                                      viewport={"width": width, "height": 844 if phone else 900},
                                      is_mobile=phone, has_touch=phone)
        context.set_default_timeout(15_000)
        if axe:
            # Injected by the browser itself into every document, so no page header can block it.
            context.add_init_script(script=axe)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def scene(app, now, make_sponsor, make_user, make_contract, builtin_templates):
    """Contracts in the stages the page tests look at, with documents and queued alerts (tests/helpers/scene.py)."""
    from tests.helpers.scene import build

    return build(app, now, make_sponsor, make_user, make_contract)
