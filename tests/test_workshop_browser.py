"""The workshop page in a real browser: headless Chromium driven by Selenium and chromedriver.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/chromium.sh`` installs them);
skips with the reason when they are absent. The server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("uvicorn", reason="the workshop extra (uvicorn) is not installed")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from qualcode.services import charting
from qualcode.services.project import Project
from qualcode.web.server import serve_in_thread
from tests.matrix_data import build_chart_project

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="headless Chromium and chromedriver are not installed (Debian packages chromium and "
    "chromium-driver; run .ci/chromium.sh)",
)
WAIT = 20  # seconds a condition may take on a busy machine before the test fails
SUMMARY = "Welcomed from day one; the plan named peer support."


@pytest.fixture
def project(tmp_path: Path) -> Project:
    p = build_chart_project(tmp_path / "browser.db")
    charting.write_summary(p, "case", "Site 3", "Context/Culture", SUMMARY, status="reviewed")
    return p


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,900",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=DRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, condition: Any) -> Any:
    """Wait until ``condition`` holds. The page's live updates replace elements as they
    arrive, so an element found by one check may be gone when it is read: check again."""
    return WebDriverWait(
        driver, WAIT, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    ).until(condition)


def test_read_a_cell_comment_and_see_it_in_another_tab_and_the_database(
    project: Project, browser: Any
) -> None:
    d = browser
    ref = charting.cell_detail(project, "case", "Site 3", "Context/Culture").ref
    with serve_in_thread(project, poll_interval=0.2) as running:
        base, token = running.url.split("/?token=")
        # the matrix: the cell's summary is on the page
        d.get(running.url)
        cell = wait_for(
            d,
            lambda drv: drv.find_element(
                By.CSS_SELECTOR, f'a[data-cell="{ref.row_id}-{ref.code_id}"]'
            ),
        )
        assert SUMMARY in cell.text and "REVIEWED" in cell.text.upper()
        cell.click()
        shown = wait_for(d, lambda drv: drv.find_element(By.CSS_SELECTOR, ".summary-text").text)
        assert shown == SUMMARY
        quotes = wait_for(
            d, lambda drv: [q.text for q in drv.find_elements(By.CSS_SELECTOR, "blockquote")]
        )
        assert any("S3PW2, turn 2" in q for q in quotes)
        first = d.current_window_handle
        cell_url = d.current_url

        # a second tab on the same cell (the cookie set by the first visit is enough)
        d.switch_to.new_window("tab")
        d.get(cell_url)
        second = d.current_window_handle
        wait_for(d, lambda drv: drv.find_element(By.ID, "live-state").text == "Live")
        assert "Workshop comments (0)" in d.find_element(By.ID, "live").text

        # post from the first tab
        d.switch_to.window(first)
        d.find_element(By.ID, "c-author").send_keys("Peer panel")
        d.find_element(By.ID, "c-text").send_keys(
            "<b>Not bold</b> The plan only worked with a named sponsor."
        )
        d.find_element(By.CSS_SELECTOR, ".comment-form button").click()
        wait_for(
            d,
            lambda drv: "Comment added" in drv.find_element(By.CSS_SELECTOR, ".form-message").text,
        )
        assert d.find_element(By.ID, "c-text").get_attribute("value") == ""

        # ... it appears in the second tab without a reload, as text
        d.switch_to.window(second)
        item = wait_for(
            d,
            lambda drv: [li.text for li in drv.find_elements(By.CSS_SELECTOR, ".comment-list li")],
        )
        assert "Peer panel" in item[0]
        assert "<b>Not bold</b> The plan only worked with a named sponsor." in item[0]
        assert not d.find_elements(By.CSS_SELECTOR, ".comment-list li b")

        # ... and the analyst's summary edit in the workbench arrives too
        charting.write_summary(
            project, "case", "Site 3", "Context/Culture", "Revised after the workshop."
        )
        wait_for(
            d,
            lambda drv: (
                drv.find_element(By.CSS_SELECTOR, ".summary-text").text
                == "Revised after the workshop."
            ),
        )

        # high contrast for the projector
        d.find_element(By.ID, "contrast").click()
        assert "high-contrast" in d.find_element(By.TAG_NAME, "body").get_attribute("class")

        # a wrong token in a fresh browser profile gets nothing
        d.delete_all_cookies()
        d.get(base + "/?token=" + token[:-1] + ("A" if token[-1] != "A" else "B"))
        body = d.find_element(By.TAG_NAME, "body").text
        assert "not valid" in body and "Site 3" not in body

    # ... and in the database, where the workbench reads it
    stored = charting.workshop_comments(project, "case", "Site 3", "Context/Culture")
    assert [(c.author, c.text) for c in stored] == [
        ("Peer panel", "<b>Not bold</b> The plan only worked with a named sponsor.")
    ]
