"""Minutes in Markdown shown as HTML: CommonMark with raw HTML escaped and headings moved down."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

# html=False: any HTML in the minutes is shown as text; markdown-it also refuses javascript:,
# vbscript:, file: and data: links, so the chair's text cannot run in a reader's browser.
_MD = MarkdownIt("commonmark", {"html": False})
HEADING_SHIFT = 2  # the minutes' "# Title" sits under the page's own h1 and h2 "Minutes"


def minutes_html(text: str | None) -> Markup:
    """Render minutes as safe HTML, their headings two levels down (h1 becomes h3)."""
    tokens = _MD.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
    return Markup(_MD.renderer.render(tokens, _MD.options, {}))
