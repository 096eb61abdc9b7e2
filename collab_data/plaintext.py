"""User-supplied text shown literally in Streamlit's Markdown.

Titles, outcomes, partner and tool names, file and column names come from people's files
and forms. Shown through Markdown (``st.markdown``, ``st.caption``, ``st.info`` ...,
widget labels), such a string must appear exactly as typed: ``**bold**`` with its stars,
``:red[x]`` without colour, ``:smile:`` and ``:material/home:`` as words, not an emoji
or an icon, ``$x$`` without LaTeX, ``<b>`` as text, ``127.0.0.1`` without backslashes.

:func:`markdown_literal` backslash-escapes the characters that start Markdown or one of
Streamlit's extensions (CommonMark renders ``\\X`` as ``X`` for any ASCII punctuation, so
no backslash is shown), and leaves the others alone, so ordinary text (``127.0.0.1``,
``O'Brien (2026)``) stays as it is even in the Markdown source:

- ``\\`` ``*`` ``_`` `````` ``~`` ``[`` ``]`` ``<`` ``>`` ``|`` ``#`` ``&``: escapes,
  emphasis, code, strikethrough, links and directive labels, HTML and autolinks,
  blockquotes, tables, headings, entities;
- ``$``: LaTeX (``$x$``, ``$$x$$``);
- ``:``: every colon extension: a directive ``:red[...]`` / ``:small[...]`` needs a bare
  ``:``; Streamlit loads its emoji replacement only when the source holds a bare
  ``:word:``; ``:streamlit:`` and ``:material/...:`` icons start with a bare colon too;
- the ``/`` of ``:material/``: Streamlit rewrites that sequence in the raw source before
  parsing, escaped colon or not, so its slash is escaped as well;
- a leading ``-``, ``+``, ``=`` or ``1.`` / ``1)``: a list item or a rule at the start
  of a line (the text may follow a bullet's ``- ``).

Line breaks and runs of spaces become one space (Markdown would join them anyway, and a
line of the text could otherwise start a block of its own).

Use the escaped form only in Markdown; where no Markdown is needed, show the raw text in
a plain element (``st.text``, a dataframe cell, a selectbox option): escaping there would
show the backslashes.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_~\[\]<>|#&$:])")
_MATERIAL = re.compile(r"(?<=:material)/")
_LEADING = re.compile(r"^([-+=])|^(\d{1,9})([.)])(?=\s|$)")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def markdown_literal(text: object) -> str:
    """``text`` as Markdown that renders exactly that text (see the module)."""
    if text is None:
        return ""
    s = _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    s = _MATERIAL.sub(r"\\/", s)
    return _LEADING.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), s)


def unescape(markdown: str) -> str:
    """What :func:`markdown_literal` output renders as (its backslash escapes undone);
    for tests and for checking a message."""
    return _ESCAPED.sub(r"\1", markdown)
