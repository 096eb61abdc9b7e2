"""Text is text: what people type (titles, names, file and column names) is shown literally,
never as Markdown, colour, emoji, icon, LaTeX or HTML, and without visible backslashes.

Streamlit renders Markdown in the browser, so the checks are on the Markdown source: the
escaped form is there, the raw syntax is not, and the patterns with which Streamlit's
front end decides to load its emoji, icon and LaTeX plugins (copied from its Markdown
component, 1.67) do not match.
"""

from __future__ import annotations

import re

import pytest
from editors import ADMIN_CODE, make_editor_app, sign_in

from collab_data import auth, ui
from collab_data.db import get_database
from collab_data.ingest import activities as A
from collab_data.plaintext import markdown_literal, unescape

HOSTILE = [
    "**bold**", "__under__", "*em*", "`code`", "~~gone~~", ":red[x]", ":red-background[x]", ":small[x]",
    ":material/home:", ":smile:", ":+1:", ":streamlit:", "<b>bold</b>", "<script>alert(1)</script>", "$x$",
    "$$x^2$$", "back\\slash", "trailing\\", "127.0.0.1", "[link](https://example.org)", "![img](x.png)",
    "# heading", "- item", "+ item", "1. first", "3) third", "> quote", "---", "a | b | c", "&amp; &lt;",
    ":red{x}", "line one\nline two", "tab\there", "O'Brien (2026) — “quotes”",
]

# Streamlit 1.67's front end: the emoji plugin is loaded when the raw source matches EMOJI;
# ":material/" is rewritten in the raw source; LaTeX is looked for after removing escapes.
EMOJI = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")
LATEX_ESCAPES = re.compile(r"\\[\\$`]")
INLINE_MATH = re.compile(r"(?<!\$)\$(?![\s$])[^$\n]*?[^\s$]\$(?!\d)")


def unescaped_specials(md: str) -> list[str]:
    """Special characters of ``md`` not preceded by an escaping backslash."""
    out, i = [], 0
    while i < len(md):
        if md[i] == "\\" and i + 1 < len(md):
            i += 2
            continue
        if md[i] in "*_`~[]<>|#&$:":
            out.append(md[i])
        i += 1
    return out


@pytest.mark.parametrize("text", HOSTILE)
def test_escaping_renders_the_literal_text(text):
    md = markdown_literal(text)
    assert unescape(md) == " ".join(text.split()), "rendering gives back the text (spaces joined), no backslash"
    assert unescaped_specials(md) == [], md
    assert not EMOJI.search(md), "no emoji shortcode for Streamlit to replace"
    assert ":material/" not in md, "no icon"
    assert not INLINE_MATH.search(LATEX_ESCAPES.sub("_", md)), "no LaTeX"
    assert "<" not in md.replace("\\<", ""), "no HTML"
    assert "\n" not in md, "one line: nothing can start a block"


@pytest.mark.parametrize(("text", "md"), [
    ("**bold**", r"\*\*bold\*\*"),
    (":red[x]", r"\:red\[x\]"),
    (":material/home:", r"\:material\/home\:"),
    (":smile:", r"\:smile\:"),
    ("<b>", r"\<b\>"),
    ("$x$", r"\$x\$"),
    ("a\\b", r"a\\b"),
    ("- item", r"\- item"),
    ("1. first", r"1\. first"),
])
def test_escaped_forms(text, md):
    assert markdown_literal(text) == md


@pytest.mark.parametrize("text", ["127.0.0.1", "O'Brien (2026)", "8 / 8 · Kenya spotlight", "In 2026. A year",
                                  "PARIS21 — data lead", "5% (n=3)"])
def test_ordinary_text_keeps_no_backslash(text):
    """Plain words, addresses, numbers and brackets need no escape: no backslash can leak."""
    assert markdown_literal(text) == text


def test_ui_escape_is_the_one_function_and_none_is_empty():
    assert ui.escape(":smile: **x**") == markdown_literal(":smile: **x**")
    assert markdown_literal(None) == ""
    assert markdown_literal(42) == "42"


def test_escaping_twice_is_visible_so_pages_escape_once():
    # a guard against double escaping (it would show backslashes): escaping is not idempotent
    assert markdown_literal(markdown_literal("**x**")) != markdown_literal("**x**")


# --------------------------------------------------------------------------------------
# Pages (AppTest)
# --------------------------------------------------------------------------------------
TITLE = "**b** :red[x] :smile: :material/home: $x$ <b>"


def markdown_values(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_meeting_mode_shows_an_activity_title_literally(app_test, db_copy):
    db = get_database(db_copy)
    csv = ("title,type,start_date,partners,countries,collaborative\n"
           f"\"{TITLE}\",training,2026-11-21,PARIS21,Kenya,gender\n").encode()
    plan = A.validate(csv, "hostile.csv", db, editor=A.Editor("Secretariat", None))
    assert plan.records and plan.records[0]["title"] == TITLE, plan.findings_frame()
    A.import_activities(db, plan, editor=A.Editor("Secretariat", None))
    at = app_test(db_copy, "pages/meeting.py", slide="99")
    assert not at.exception, at.exception
    lines = [v for v in markdown_values(at) if "red" in v]
    assert lines, markdown_values(at)
    text = "\n".join(lines)
    assert markdown_literal(TITLE) in text, text
    for raw in ("**b**", ":red[x]", " :smile:", ":material/home:", "$x$", "<b>"):
        assert raw not in text, raw
    assert TITLE in unescape(text)


def test_upload_messages_show_file_and_column_names_literally(db_copy, hashes):
    auth.THROTTLE.succeeded("secretariat")
    at = make_editor_app(hashes, "pages/activities.py")
    sign_in(at, "Secretariat", ADMIN_CODE)
    # a file with no usable column: the critical message names the file's columns
    at.get("file_uploader")[0].set_value(("**x**.csv", b":red[c],:smile:\n1,2\n", "text/csv"))
    at.run()
    assert not at.exception, at.exception
    errors = "\n".join(e.value for e in at.error)
    assert r"The file's columns are\: \:red\[c\], \:smile\:." in errors, errors
    assert "The file's columns are: :red[c], :smile:." in unescape(errors)
    shown = "\n".join([errors, *markdown_values(at), *(c.value for c in at.caption)])
    assert ":red[c]" not in shown and "**x**.csv" not in shown and " :smile:" not in shown
    # the findings table shows the raw text (a dataframe is plain text: no escaping there)
    findings = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert any(":red[c], :smile:" in m for m in findings["message"])

    # a good file with an extra column: imported, the success message names the file literally
    good = A.template_csv(example=True).decode().splitlines()
    good = [good[0] + ",:red[c]"] + [line + ",z" for line in good[1:]]
    at = make_editor_app(hashes, "pages/activities.py")
    sign_in(at, "Secretariat", ADMIN_CODE)
    at.get("file_uploader")[0].set_value(("**x**.csv", "\n".join(good).encode(), "text/csv"))
    at.run()
    assert not at.exception, at.exception
    for md in markdown_values(at) + [e.value for e in at.error] + [w.value for w in at.warning]:
        assert ":red[c]" not in md and "**x**.csv" not in md, md
    next(b for b in at.button if b.label.startswith("✅ Import")).click()
    at.run()
    assert not at.exception, at.exception
    success = " ".join(s.value for s in at.success)
    assert r"from \*\*x\*\*.csv as batch" in success, success
    assert "**x**.csv" not in success


def test_records_file_messages_show_names_literally(empty_db_path, tmp_path, hashes, monkeypatch):
    """Manage records: a partners file named ``**x**.csv`` with a column ``:red[c]`` and a
    partner called ``:smile: <b>Org</b>``: the success message (kept for the next run) and
    the registry show them as typed."""
    import shutil

    path = tmp_path / "empty.duckdb"
    shutil.copy(empty_db_path, path)
    auth.THROTTLE.succeeded("secretariat")
    at = make_editor_app(hashes, "pages/manage.py", db_path=path, monkeypatch=monkeypatch)
    sign_in(at, "Secretariat", ADMIN_CODE)
    data = (b"Organisation,Acronym,Type,Country,Member of,:red[c]\n"
            b":smile: <b>Org</b>,,NGO,France,gender,x\n")
    next(u for u in at.file_uploader if u.label == "Partners file").set_value(("**x**.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    findings = next((d.value for d in at.dataframe if "message" in d.value.columns), None)
    if findings is not None:  # the unused column is reported in a table: plain text, shown raw
        assert not any("\\:red" in m for m in findings["message"])
    next(b for b in at.button if b.key == "partners_do_import").click().run()
    assert not at.exception, at.exception
    success = " ".join(s.value for s in at.success)
    assert r"Registered 1 partners from \*\*x\*\*.csv" in success, success
    assert "**x**" not in success
    registry = next(d.value for d in at.dataframe if "Origin" in d.value.columns)
    assert ":smile: <b>Org</b>" in " ".join(map(str, registry.values.ravel())), "the table holds the raw text"
