"""In a real browser, with the keyboard only: a representative votes on a ballot and answers a
survey; at phone width (375 px) wide tables scroll in a focusable region that keeps its
caption in view, and chart text stays legible."""

from __future__ import annotations

from e2e.helpers import sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from core.db import db
from devtools.demo_data import load_demo
from voting.models import Ballot


def tab_to(page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has the focus, and check it shows it."""
    page.wait_for_load_state()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has the focus but shows no focus ring"
            return
    raise AssertionError(f"Tab never reached {selector}")


def enter(page) -> None:
    """Press Enter on a link or a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _demo(live) -> dict[str, int]:
    with live.app.app_context():
        assert load_demo()
        ids = {b.title: b.id for b in db.session.scalars(select(Ballot))}
        db.session.remove()
    return ids


def test_keyboard_only_vote_and_survey_answer(live, browser):
    ballots = _demo(live)
    page = sign_in(browser, live, "Priya Sharma")  # Reliance Jio has not answered the ballots

    # A consensus round: object without a reason, be sent back to the reason, give one.
    page.goto(f"{live.url}/ballots/{ballots['Endorse the Rocky survey questions']}")
    tab_to(page, "input[name=response]")
    page.keyboard.press("ArrowDown")  # the radio group: Support -> Stand aside
    page.keyboard.press("ArrowDown")  # -> Object
    expect(page.locator("input[value=object]")).to_be_checked()
    tab_to(page, "form.vote [type=submit]")
    enter(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the link's target is the reason field; Tab lands on or after it
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#reason")).to_be_focused()
    page.keyboard.type("The questions leave out operators of small clouds.")
    tab_to(page, "form.vote [type=submit]")
    enter(page)
    expect(page.locator("main")).to_contain_text("Receipt:")

    # The roadmap survey: rank, spread points and give a number, then submit.
    page.goto(f"{live.url}/surveys/")
    tab_to(page, "a[href$='/surveys/1']")
    enter(page)
    tab_to(page, "a[href$='/answer']")
    enter(page)
    expect(page.locator("h1")).to_contain_text("Pike roadmap priorities")
    for rank in range(1, 6):
        tab_to(page, f"fieldset.q-ranking li:nth-child({rank}) select")
        for _ in range(rank):
            page.keyboard.press("ArrowDown")  # a closed select changes value with the arrows
    budget = page.locator("fieldset.q-budget input")
    for index, points in enumerate(("40", "30", "20", "10")):
        tab_to(page, f"#{budget.nth(index).get_attribute('id')}")
        page.keyboard.type(points)
    tab_to(page, "fieldset.q-number input")
    page.keyboard.type("3")
    tab_to(page, "button[name=send]")
    enter(page)
    expect(page.get_by_text("Your answers are submitted.")).to_be_visible()
    page.context.close()


def test_phone_width_tables_and_charts(live, browser):
    ballots = _demo(live)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live.url}/decisions/{ballots['Prioritize the Queens work items']}")
    region = page.locator(".table-scroll", has=page.locator("caption")).first
    caption = region.locator("caption")
    tab_to(page, ".table-scroll")
    expect(region).to_have_attribute("tabindex", "0")
    assert region.get_attribute("aria-label")
    page.keyboard.press("End")  # scroll the focused region to its far end
    region.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    box, view = caption.bounding_box(), region.bounding_box()
    assert box["x"] >= view["x"] - 1 and box["x"] < view["x"] + view["width"], (box, view)
    # No page-wide horizontal scroll: only the table region scrolls.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375

    page.goto(f"{live.url}/results/")
    page.locator("main article a").first.click()
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    sizes = chart.evaluate("""svg => Array.from(svg.querySelectorAll('text')).map(t =>
        t.getBoundingClientRect().height / t.getBBox().height * parseFloat(t.getAttribute('font-size')))""")
    assert sizes and min(sizes) >= 11, sizes  # rendered px, not ~6 px
    labels = chart.evaluate("svg => Array.from(svg.querySelectorAll('text')).map(t => t.textContent)")
    assert not any(label.endswith("…") for label in labels)
    # High-contrast (forced colours) mode keeps the legend swatches' colours.
    page.emulate_media(forced_colors="active")
    swatch = page.locator(".swatch").first
    expect(swatch).to_be_visible()
    assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") not in ("", "rgba(0, 0, 0, 0)")
    assert swatch.evaluate("e => getComputedStyle(e).forcedColorAdjust") == "none"
    page.context.close()
