"""SVG charts: accessible, CSP-safe (no script, no style attributes), and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from surveys.charts import Bar, bar_chart, diverging_chart, dot_interval_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


CHARTS = [
    bar_chart("Choices", [Bar("Nova", 0.6, 0.4, 0.8), Bar("Neutron <&>", 0.2)]),
    dot_interval_chart("Ranking", [Bar("Tempest", 3.5, 2.9, 4.0), Bar("Logging", 1.0, 0.5, 1.5)],
                       "Borda points"),
    diverging_chart("Likert", [("Upgrades matter", [(1, 0.1), (2, 0.1), (3, 0.2), (4, 0.3),
                                                    (5, 0.3)])], 5),
]


@pytest.mark.parametrize("svg", CHARTS)
def test_accessible_and_csp_safe(svg):
    root = parse(svg)  # well-formed XML, labels escaped
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text and desc.text
    assert set(root.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")}
    assert "<script" not in svg and not re.search(r"\sstyle=", svg) and "on" + "load" not in svg


def test_bars_are_drawn_to_scale():
    root = parse(bar_chart("x", [Bar("a", 2.0), Bar("b", 1.0)]))
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == pytest.approx(2 * widths[1])


def test_diverging_bars_centre_the_neutral_point():
    root = parse(diverging_chart("x", [("s", [(1, 0.25), (2, 0.0), (3, 0.5), (4, 0.0),
                                              (5, 0.25)])], 5))
    rects = list(root.iter(f"{SVG}rect"))
    centre = float(root.find(f"{SVG}line").get("x1"))
    left = float(rects[0].get("x"))
    right = float(rects[-1].get("x")) + float(rects[-1].get("width"))
    assert centre - left == pytest.approx(right - centre)


def test_suppressed_cells_are_not_drawn():
    svg = diverging_chart("x", [("s", [(1, None), (2, 0.5), (3, 0.5)])], 3)
    assert len(list(parse(svg).iter(f"{SVG}rect"))) == 2
    assert "point 1 suppressed" in svg


def _contrast(a: str, b: str = "#ffffff") -> float:
    def lum(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((lum(a), lum(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_likert_colours_stand_out_from_white_and_are_parted_by_separators():
    from surveys.charts import DIVERGING, SEPARATOR

    for palette in DIVERGING.values():
        assert all(_contrast(colour) >= 3 for colour in palette.values()), palette
    svg = diverging_chart("x", [("s", [(1, 0.5), (2, 0.5)])], 5)
    rects = list(parse(svg).iter(f"{SVG}rect"))
    assert all(r.get("stroke") == "#fff" and float(r.get("stroke-width")) >= SEPARATOR
               for r in rects)


def test_long_labels_wrap_and_are_never_cut():
    label = "Telemetry: Ceilometer for operations, with alarms, metering and billing hooks"
    svg = bar_chart("x", [Bar(label, 1.0)])
    text = "".join(parse(svg).find(f"{SVG}text").itertext())
    assert "…" not in svg and text.replace(" ", "") == label.replace(" ", "")


def test_a_fully_suppressed_likert_chart_is_not_drawn():
    assert diverging_chart("x", [("s", [(1, None), (2, None)]), ("t", [(1, None)])], 5) == ""
