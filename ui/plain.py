"""User-supplied text (dataset and locality names, KPI titles, commentary, actions, outcome
names, survey questions) shown as plain text, never as Markdown or HTML.

Streamlit renders Markdown in almost every piece of text it shows (``st.markdown``, captions,
alerts, subheaders, expander, tab and widget labels, help texts, radio options): a dataset
named ``![t](http://host/beacon.png)`` would make every viewer's browser fetch that address,
and ``[click](http://evil)`` would be a link. ``md`` makes such text literal wherever it is
put into Markdown. (The map's pydeck tooltip is an HTML template, but Streamlit escapes the
values it fills in, so names go there as they are: escaping them again would show ``&lt;``.)
"""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation, and that is every character that
# can start Markdown (links, images, emphasis, code, headings, tables, strikethrough), HTML
# (``<``), LaTeX (``$``) or Streamlit's own directives (``:red[...]``, ``:material/icon:``).
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
# Streamlit links bare web and email addresses (GFM autolinks) even when every character is
# escaped; an invisible word joiner after each ":", before each "@" and inside "www." stops
# it (tried in Chromium), and leaves the text looking exactly as typed.
_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?<=:)|(?=@)|(?<=www)(?=\.)", re.IGNORECASE)


def md(text: object) -> str:
    """``text`` escaped so that Markdown shows it exactly as written, on one line per line.

    Line breaks become Markdown hard breaks (two spaces and a newline), so a commentary of
    several lines keeps them and a line cannot start a heading, list or code block: leading
    spaces are made non-breaking.
    """
    escaped = _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(_JOINER, str(text)))
    lines = [
        line.replace(" ", "\u00a0", len(line) - len(line.lstrip(" ")))
        for line in _LINE_BREAKS.split(escaped)
    ]
    return "  \n".join(lines)
