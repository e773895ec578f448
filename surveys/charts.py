"""Pure: small server-rendered SVG charts (no script, no style attributes, CSP-safe, printable).

Each chart is an <svg role="img"> with a <title> and a <desc> summary; the page puts the data
table beside it for screen readers. Colours are presentation attributes, never inline styles.
Charts take the gated public figures, so nothing suppressed can be drawn.
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# Drawn for a phone first: 400 units wide, shown at most 400 px wide (static/concord.css), so
# 14-unit labels stay 12 px or more on a 375 px screen. Each label sits on its own lines above
# its bar, wrapped, never cut.
WIDTH, PAD, LABEL_SIZE, VALUE_SIZE = 400, 8, 14, 13
LINE_H, BAR_H, GAP = 18, 18, 10
LABEL_CHARS = 48  # characters per label line at 14 units in 384 units
VALUE_ROOM = 64  # right of the longest bar, for its value label
PLOT_W = WIDTH - 2 * PAD - VALUE_ROOM
# A diverging palette readable in greyscale and by the common colour-vision deficiencies; every
# colour has at least 3:1 contrast with white, and segments are parted by a white separator
# (SEPARATOR units), so neighbours stay distinct (WCAG 1.4.11). static/concord.css repeats it
# for the legend swatches.
DIVERGING = {
    5: {1: "#8e0c25", 2: "#d6604d", 3: "#767676", 4: "#4393c3", 5: "#08519c"},
    7: {1: "#8e0c25", 2: "#b2182b", 3: "#d6604d", 4: "#767676", 5: "#4393c3", 6: "#2166ac",
        7: "#053061"},
}
SEPARATOR = 2
BAR, DOT, AXIS, INK = "#2166ac", "#0b3a6e", "#8c959f", "#1b1f24"


@dataclass(frozen=True)
class Bar:
    """One bar: a label, a value, and an optional interval."""

    label: str
    value: float
    low: float | None = None
    high: float | None = None


def _svg(title: str, desc: str, height: int, body: list[str]) -> str:
    # Deterministic ids (cacheable pages); distinct charts have distinct titles or data.
    ident = "c" + hashlib.sha1(f"{title}\n{desc}".encode()).hexdigest()[:10]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
            f'width="100%" aria-labelledby="{ident}t {ident}d" class="chart">'
            f'<title id="{ident}t">{escape(title)}</title><desc id="{ident}d">{escape(desc)}</desc>'
            + "".join(body) + "</svg>")


def _lines(text: str) -> list[str]:
    return textwrap.wrap(text, LABEL_CHARS, break_long_words=True) or [""]


def _label(y: float, lines: list[str]) -> str:
    """The full label, one <tspan> per line, its first baseline at y."""
    spans = "".join(f'<tspan x="{PAD}" dy="{0 if i == 0 else LINE_H}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{PAD}" y="{y:.1f}" font-size="{LABEL_SIZE}" fill="{INK}">{spans}</text>'


def _rows(labels: Sequence[str]) -> tuple[list[tuple[float, list[str]]], int]:
    """Lay out rows: (top of the bar, label lines) each, and the chart's height."""
    rows, y = [], PAD
    for text in labels:
        lines = _lines(text)
        rows.append((y + LINE_H * len(lines), lines))
        y += LINE_H * len(lines) + BAR_H + GAP
    return rows, y


def bar_chart(title: str, bars: Sequence[Bar], unit: str = "", maximum: float | None = None) -> str:
    """Draw horizontal bars with optional interval whiskers (choices, budgets)."""
    top = maximum or max([b.high or b.value for b in bars] + [1e-9])
    scale = PLOT_W / top if top > 0 else 0
    rows, height = _rows([b.label for b in bars])
    body = []
    for (y, lines), b in zip(rows, bars, strict=True):
        body.append(_label(y - 5, lines))
        body.append(f'<rect x="{PAD}" y="{y}" width="{b.value * scale:.1f}" '
                    f'height="{BAR_H}" fill="{BAR}"/>')
        if b.low is not None and b.high is not None:
            body.append(f'<line x1="{PAD + b.low * scale:.1f}" x2="{PAD + b.high * scale:.1f}"'
                        f' y1="{y + BAR_H / 2}" y2="{y + BAR_H / 2}" stroke="{INK}" stroke-width="1.5"/>')
        end = max(b.value, b.high if b.high is not None else b.value)
        body.append(f'<text x="{PAD + end * scale + 4:.1f}" y="{y + BAR_H - 4}" '
                    f'font-size="{VALUE_SIZE}" fill="{INK}">{_fmt(b.value)}{escape(unit)}</text>')
    desc = "; ".join(f"{b.label}: {_fmt(b.value)}{unit}" for b in bars)
    return _svg(title, desc or "no data", height, body)


def dot_interval_chart(title: str, bars: Sequence[Bar], axis_label: str) -> str:
    """Draw dots with interval lines (ranking scores with bootstrap intervals)."""
    top = max([b.high if b.high is not None else b.value for b in bars] + [1e-9])
    scale = (WIDTH - 2 * PAD - 10) / top
    rows, height = _rows([b.label for b in bars])
    height += LINE_H
    body = [f'<text x="{WIDTH - PAD}" y="{height - 6}" text-anchor="end" '
            f'font-size="{VALUE_SIZE}" fill="{INK}">{escape(axis_label)}</text>']
    for (top_y, lines), b in zip(rows, bars, strict=True):
        y = top_y + BAR_H / 2
        body.append(_label(top_y - 5, lines))
        body.append(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y}" y2="{y}" '
                    f'stroke="{AXIS}" stroke-width="0.5"/>')
        if b.low is not None and b.high is not None:
            body.append(f'<line x1="{PAD + 5 + b.low * scale:.1f}" x2="{PAD + 5 + b.high * scale:.1f}"'
                        f' y1="{y}" y2="{y}" stroke="{DOT}" stroke-width="3"/>')
        body.append(f'<circle cx="{PAD + 5 + b.value * scale:.1f}" cy="{y}" r="5" fill="{DOT}"/>')
    desc = "; ".join(f"{b.label}: {_fmt(b.value)}" + (
        f" (95% interval {_fmt(b.low)} to {_fmt(b.high)})" if b.low is not None else "")
        for b in bars)
    return _svg(title, desc or "no data", height, body)


def diverging_chart(title: str, rows: Sequence[tuple[str, Sequence[tuple[int, float | None]]]],
                    points: int) -> str:
    """Draw diverging stacked bars of Likert shares (None = suppressed, left as a gap).

    Returns "" when nothing is left to draw (every share suppressed or empty): the page says
    so in words instead of showing an empty frame.
    """
    if not any(v for _, shares in rows for _, v in shares):
        return ""
    mid = (points + 1) / 2
    half = (WIDTH - 2 * PAD) / 2
    centre = PAD + half
    layout, height = _rows([label for label, _ in rows])
    body, descs = [f'<line x1="{centre}" x2="{centre}" y1="{PAD}" '
                   f'y2="{height - GAP}" stroke="{INK}" stroke-width="1"/>'], []
    for (y, lines), (label, shares) in zip(layout, rows, strict=True):
        body.append(_label(y - 5, lines))
        share = dict(shares)
        # Disagreement goes left of the centre line; the neutral point straddles it.
        neg = sum(v or 0 for p, v in share.items() if p < mid) + \
            sum((v or 0) / 2 for p, v in share.items() if p == mid)
        x = centre - neg * half
        for point in sorted(share):
            value = share[point]
            if value is None:
                continue
            # A white outline parts neighbouring segments (their colours may be close).
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{value * half:.1f}" '
                        f'height="{BAR_H}" fill="{DIVERGING.get(points, {}).get(point, BAR)}" '
                        f'stroke="#fff" stroke-width="{SEPARATOR}"/>')
            x += value * half
        descs.append(f"{label}: " + ", ".join(
            f"point {p} {'suppressed' if v is None else f'{v:.0%}'}" for p, v in sorted(share.items())))
    return _svg(title, "; ".join(descs) or "no data", height, body)


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.2f}"
