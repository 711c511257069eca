"""User-supplied text (dataset and locality names, KPI titles, commentary, actions, outcome
names, survey questions) shown as plain text, never as Markdown or HTML.

Streamlit renders Markdown in almost every piece of text it shows (``st.markdown``, captions,
alerts, subheaders, expander, tab and widget labels, help texts, radio options): a dataset
named ``![t](http://host/beacon.png)`` would make every viewer's browser fetch that address,
and ``[click](http://evil)`` would be a link. ``md`` makes such text literal wherever it is
put into Markdown; ``html`` does the same for HTML templates (the map's pydeck tooltip).
"""

from __future__ import annotations

import html as _html
import re
import string

# CommonMark lets a backslash escape any ASCII punctuation, and that is every character that
# can start Markdown (links, images, emphasis, code, headings, tables, strikethrough), HTML
# (``<``), LaTeX (``$``) or Streamlit's own directives (``:red[...]``, ``:material/icon:``).
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def md(text: object) -> str:
    """``text`` escaped so that Markdown shows it exactly as written, on one line per line.

    Line breaks become Markdown hard breaks (two spaces and a newline), so a commentary of
    several lines keeps them and a line cannot start a heading, list or code block: leading
    spaces are made non-breaking.
    """
    escaped = _PUNCTUATION.sub(r"\\\1", str(text))
    lines = [
        line.replace(" ", "\u00a0", len(line) - len(line.lstrip(" ")))
        for line in _LINE_BREAKS.split(escaped)
    ]
    return "  \n".join(lines)


def html(text: object) -> str:
    """``text`` escaped for an HTML template: ``<``, ``>``, ``&`` and quotes as entities."""
    return _html.escape(str(text), quote=True)
