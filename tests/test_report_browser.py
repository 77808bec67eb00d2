"""report.html in a real headless browser: it loads from disk with no console errors and
no network, shows the counts, and its filters change what is visible.

Uses Debian's Chromium (/usr/bin/chromium); Playwright never downloads a browser here.
A screenshot of each run is saved to tests/artifacts/ for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.diff import diff, write_diff
from pipeline.matching import DROPPED, NEW, SPLIT, STATUSES
from pipeline.settings import Settings
from pipeline.types import Document, Extraction
from tests.render.years import pair_2021_2022

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}: "
                       "apt-get install chromium (make system-packages) to run the browser tests"),
]


def extraction(commitments, year: int) -> Extraction:
    document = Document(Path(f"aa-en-hunze-{year}.txt"), f"aa-en-hunze-{year}", "text", ())
    return Extraction(document, year, (), tuple(commitments))


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The diff of the 2021 -> 2022 year pair, written to a folder; (path, summary)."""
    old, new = pair_2021_2022().commitments()
    result = diff(extraction(old, 2021), extraction(new, 2022), Settings())
    out = tmp_path_factory.mktemp("diff")
    write_diff(result, out)
    return out / "report.html", result.summary


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, report):
    """The report opened from disk; console messages, page errors and requests recorded."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.messages, page.errors, page.requests = [], [], []
    page.on("console", lambda message: page.messages.append((message.type, message.text)))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(report[0].as_uri())
    page.wait_for_load_state("load")
    yield page
    page.close()


def visible_statuses(page) -> set[str]:
    return set(page.eval_on_selector_all("tr.match:not([hidden])", "rows => rows.map(r => r.dataset.status)"))


def test_loads_without_errors_or_network(page):
    assert page.errors == []
    assert [m for m in page.messages if m[0] in ("error", "warning")] == []
    assert all(url.startswith("file:") for url in page.requests), page.requests


def test_shows_the_counts(page, report):
    _, summary = report
    for status in STATUSES:
        assert page.inner_text(f"#count-{status} .count") == str(summary[status])
    assert page.locator("#by-theme tbody tr").count() >= 7  # Samenwerking and the six themes
    assert page.locator("#by-party tbody tr", has_text="De Volmacht").count() == 1


def test_status_filter_changes_what_is_visible(page, report):
    _, summary = report
    total = sum(summary.values())
    assert page.locator("tr.match:visible").count() == total
    page.select_option("#filter-status", NEW)
    assert visible_statuses(page) == {NEW}
    assert page.locator("tr.match:visible").count() == summary[NEW]
    assert page.inner_text("#shown") == str(summary[NEW])
    page.select_option("#filter-status", "")
    assert page.locator("tr.match:visible").count() == total


def test_theme_and_party_filters_combine(page):
    page.select_option("#filter-theme", "Leefbaarheid")
    themes = page.eval_on_selector_all("tr.match:not([hidden])", "rows => rows.map(r => r.dataset.theme)")
    assert themes and set(themes) == {"Leefbaarheid"}
    before = len(themes)
    page.select_option("#filter-party", "AH WOON")
    after = page.eval_on_selector_all("tr.match:not([hidden])",
                                      "rows => rows.map(r => JSON.parse(r.dataset.parties))")
    assert 0 < len(after) < before and all("AH WOON" in parties for parties in after)


def test_count_card_filters_and_split_shows_both_parts(page):
    page.click(f"#count-{SPLIT}")
    assert visible_statuses(page) == {SPLIT}
    row = page.locator("tr.match:visible")
    assert row.locator("td.new .piece").count() == 2 and row.locator("td.old .piece").count() == 1
    page.click(f"#count-{DROPPED}")
    assert page.locator("tr.match:visible td.old del").count() >= 2


def test_changes_are_marked_inside_the_sentence(page):
    row = page.locator("tr.match", has_text="De Volmacht verbetert").first
    assert row.locator("td.old del:not(.carried)", has_text="94").count() == 1
    assert row.locator("td.new ins:not(.carried)", has_text="110").count() == 1
    # the moved agreement year is shown as carried over, not as a change
    assert row.locator("td.new ins.carried", has_text="2022").count() == 2
    indexed = page.locator("tr.match", has_text="tot de tweede aftoppingsgrens").first
    assert indexed.locator("td.new ins.carried", has_text="678").count() == 1


def test_screenshot(page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.select_option("#filter-status", "")
    target = ARTIFACTS / "report.png"
    page.screenshot(path=str(target), full_page=False)
    page.select_option("#filter-status", "modified")
    page.screenshot(path=str(ARTIFACTS / "report-modified.png"), full_page=True)
    assert target.stat().st_size > 10_000


def test_confidence_filters_show_what_is_to_review(page, report):
    from pipeline.review import REVIEW_BELOW

    confidences = page.eval_on_selector_all("tr.match", "rows => rows.map(r => parseFloat(r.dataset.confidence))")
    to_review = sum(c < REVIEW_BELOW for c in confidences)
    assert 0 < to_review < len(confidences)
    assert page.inner_text("#count-review .count") == str(to_review)
    page.check("#filter-review")
    shown = page.eval_on_selector_all("tr.match:not([hidden])", "rows => rows.map(r => parseFloat(r.dataset.confidence))")
    assert len(shown) == to_review and all(c < REVIEW_BELOW for c in shown)
    assert page.inner_text("#shown") == str(to_review)
    page.uncheck("#filter-review")
    page.fill("#filter-confidence", "0.5")  # the slider: at most 0.50
    shown = page.eval_on_selector_all("tr.match:not([hidden])", "rows => rows.map(r => parseFloat(r.dataset.confidence))")
    assert shown and len(shown) == sum(c <= 0.5 for c in confidences) < to_review and all(c <= 0.5 for c in shown)
    assert page.inner_text("#confidence-value") == "0.50"
    page.fill("#filter-confidence", "1")
    page.click("#count-review")  # the card ticks "only to review"
    assert page.is_checked("#filter-review") and page.locator("tr.match:visible").count() == to_review
    low = page.locator("tr.match:visible .confidence.low").first
    assert low.count() == 1 and page.locator("tr.match:visible .reason").count() == to_review


# --------------------------------------------------------------------------- the series picture on index.html


@pytest.fixture(scope="module")
def index_page(browser, four_years_run):
    """index.html of the 4-year series batch, opened from disk."""
    _, out = four_years_run
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.errors, page.requests = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto((out / "index.html").as_uri())
    page.wait_for_load_state("load")
    yield page, out
    page.close()


def test_the_series_chart_has_one_mark_per_chain_and_year(index_page):
    import csv

    page, out = index_page
    assert page.errors == [] and all(url.startswith("file:") for url in page.requests), page.requests
    with (out / "lineage_steps.csv").open(encoding="utf-8") as handle:
        steps = [s for s in csv.DictReader(handle) if s["commitment_id"]]
    with (out / "lineage.csv").open(encoding="utf-8") as handle:
        chains = {row["lineage_id"] for row in csv.DictReader(handle)}
    marks = page.eval_on_selector_all(
        "svg.chains circle.mark", "ms => ms.map(m => [m.dataset.lineage, m.dataset.label, m.dataset.commitment, "
        "m.dataset.status, m.getBoundingClientRect().width > 0])")
    assert len(marks) == len(steps) == len({(m[0], m[1]) for m in marks})
    assert {(m[0], m[1], m[2], m[3]) for m in marks} == {
        (s["lineage_id"], s["label"], s["commitment_id"], s["status"]) for s in steps}
    assert {m[0] for m in marks} == chains and all(m[4] for m in marks)  # every chain drawn, every mark visible
    rows = page.eval_on_selector_all("svg.chains circle.mark", "ms => ms.map(m => m.getAttribute('cy'))")
    assert len(set(rows)) == len(chains)  # one row per chain
    years = page.eval_on_selector_all("svg.chains text.year", "ts => ts.map(t => t.textContent)")
    assert years == ["2021", "2022", "2023", "2024"]
    colours = page.eval_on_selector_all("svg.chains circle.mark[data-status=split], svg.chains circle.mark[data-status=new]",
                                        "ms => ms.map(m => getComputedStyle(m).fill)")
    assert colours and len(set(colours)) == 2  # split and new in their own colours
    assert page.locator("svg.chains path.end.s-dropped").count() == sum(
        1 for s in csv.DictReader((out / "lineage_steps.csv").open(encoding="utf-8")) if s["status"] == "dropped")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("figure.lineage").screenshot(path=str(ARTIFACTS / "series-lineage.png"))
