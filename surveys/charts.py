"""Pure: small server-rendered SVG charts (no script, no style attributes, CSP-safe, printable).

Each chart is an <svg role="img"> with a <title> and a <desc> summary; the page puts the data
table beside it for screen readers. Colours are presentation attributes, never inline styles.
Charts take the gated public figures, so nothing suppressed can be drawn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH, LABEL_W, ROW_H, PAD = 640, 200, 26, 8
PLOT_W = WIDTH - LABEL_W - 2 * PAD
# A diverging palette readable in greyscale and by the common colour-vision deficiencies.
DIVERGING = {
    5: {1: "#b2182b", 2: "#ef8a62", 3: "#d9d9d9", 4: "#67a9cf", 5: "#2166ac"},
    7: {1: "#b2182b", 2: "#d6604d", 3: "#f4a582", 4: "#d9d9d9", 5: "#92c5de", 6: "#4393c3",
        7: "#2166ac"},
}
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


def _label(y: float, text: str) -> str:
    short = text if len(text) <= 30 else text[:29] + "…"
    return (f'<text x="{LABEL_W - 6}" y="{y:.1f}" text-anchor="end" font-size="12" '
            f'fill="{INK}">{escape(short)}</text>')


def bar_chart(title: str, bars: Sequence[Bar], unit: str = "", maximum: float | None = None) -> str:
    """Draw horizontal bars with optional interval whiskers (choices, budgets)."""
    top = maximum or max([b.high or b.value for b in bars] + [1e-9])
    scale = PLOT_W / top if top > 0 else 0
    body, height = [], PAD * 2 + ROW_H * len(bars) + 16
    for i, b in enumerate(bars):
        y = PAD + i * ROW_H
        body.append(_label(y + ROW_H / 2 + 4, b.label))
        body.append(f'<rect x="{LABEL_W}" y="{y + 4}" width="{b.value * scale:.1f}" '
                    f'height="{ROW_H - 8}" fill="{BAR}"/>')
        if b.low is not None and b.high is not None:
            body.append(f'<line x1="{LABEL_W + b.low * scale:.1f}" x2="{LABEL_W + b.high * scale:.1f}"'
                        f' y1="{y + ROW_H / 2}" y2="{y + ROW_H / 2}" stroke="{INK}" stroke-width="1.5"/>')
        body.append(f'<text x="{LABEL_W + b.value * scale + 4:.1f}" y="{y + ROW_H / 2 + 4}" '
                    f'font-size="11" fill="{INK}">{_fmt(b.value)}{escape(unit)}</text>')
    desc = "; ".join(f"{b.label}: {_fmt(b.value)}{unit}" for b in bars)
    return _svg(title, desc or "no data", height, body)


def dot_interval_chart(title: str, bars: Sequence[Bar], axis_label: str) -> str:
    """Draw dots with interval lines (ranking scores with bootstrap intervals)."""
    top = max([b.high if b.high is not None else b.value for b in bars] + [1e-9])
    scale = PLOT_W / top
    height = PAD * 2 + ROW_H * len(bars) + 24
    body = [f'<text x="{LABEL_W + PLOT_W}" y="{height - 6}" text-anchor="end" font-size="11" '
            f'fill="{INK}">{escape(axis_label)}</text>']
    for i, b in enumerate(bars):
        y = PAD + i * ROW_H + ROW_H / 2
        body.append(_label(y + 4, b.label))
        body.append(f'<line x1="{LABEL_W}" x2="{LABEL_W + PLOT_W}" y1="{y}" y2="{y}" '
                    f'stroke="{AXIS}" stroke-width="0.5"/>')
        if b.low is not None and b.high is not None:
            body.append(f'<line x1="{LABEL_W + b.low * scale:.1f}" x2="{LABEL_W + b.high * scale:.1f}"'
                        f' y1="{y}" y2="{y}" stroke="{DOT}" stroke-width="3"/>')
        body.append(f'<circle cx="{LABEL_W + b.value * scale:.1f}" cy="{y}" r="5" fill="{DOT}"/>')
    desc = "; ".join(f"{b.label}: {_fmt(b.value)}" + (
        f" (95% interval {_fmt(b.low)} to {_fmt(b.high)})" if b.low is not None else "")
        for b in bars)
    return _svg(title, desc or "no data", height, body)


def diverging_chart(title: str, rows: Sequence[tuple[str, Sequence[tuple[int, float | None]]]],
                    points: int) -> str:
    """Draw diverging stacked bars of Likert shares (None = suppressed, left as a gap)."""
    mid = (points + 1) / 2
    half = PLOT_W / 2
    centre = LABEL_W + half
    body, descs = [f'<line x1="{centre}" x2="{centre}" y1="{PAD}" '
                   f'y2="{PAD + ROW_H * len(rows)}" stroke="{INK}" stroke-width="1"/>'], []
    for i, (label, shares) in enumerate(rows):
        y = PAD + i * ROW_H
        body.append(_label(y + ROW_H / 2 + 4, label))
        share = dict(shares)
        # Disagreement goes left of the centre line; the neutral point straddles it.
        neg = sum(v or 0 for p, v in share.items() if p < mid) + \
            sum((v or 0) / 2 for p, v in share.items() if p == mid)
        x = centre - neg * half
        for point in sorted(share):
            value = share[point]
            if value is None:
                continue
            body.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{value * half:.1f}" '
                        f'height="{ROW_H - 8}" fill="{DIVERGING.get(points, {}).get(point, BAR)}"/>')
            x += value * half
        descs.append(f"{label}: " + ", ".join(
            f"point {p} {'suppressed' if v is None else f'{v:.0%}'}" for p, v in sorted(share.items())))
    height = PAD * 2 + ROW_H * len(rows)
    return _svg(title, "; ".join(descs) or "no data", height, body)


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.2f}"
