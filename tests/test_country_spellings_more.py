"""Country names as real files spell them: notes in brackets (a former name, "including ...",
"excluding ...", "local name: ...", a UN resolution), underscores, abbreviations, former
names, territories written with their sovereign. The table's empty expectations must stay
unresolved (ambiguous, or two countries in one text)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from collab_data.countries import resolve

TABLE = Path(__file__).resolve().parent / "data" / "country_spellings_more.csv"


def _rows() -> list[dict[str, str]]:
    with open(TABLE, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_more_spellings_share_resolved_and_none_wrong():
    rows = _rows()
    assert len(rows) >= 150
    assert len({r["spelling"] for r in rows}) == len(rows), "spellings must be unique"
    right, wrong, missed = 0, [], []
    for r in rows:
        m = resolve(r["spelling"])
        expected = r["expected_iso3"].strip() or None
        if m.iso3 == expected:
            right += 1
        elif m.iso3 is not None:
            wrong.append(f"{r['spelling']!r}: expected {expected}, got {m.iso3} ({m.reason})")
        else:
            missed.append(f"{r['spelling']!r}: expected {expected}, unresolved ({m.reason})")
    print(f"\nmore country spellings: {right}/{len(rows)} = {100 * right / len(rows):.1f}% as expected")
    for line in missed:
        print("  unresolved:", line)
    assert not wrong, "wrong countries:\n" + "\n".join(wrong)
    assert right / len(rows) >= 0.95, "unresolved:\n" + "\n".join(missed)


@pytest.mark.parametrize("text", ["Congo", "Korea", "Congo (the)", "Korea (the)", "Virgin Islands"])
def test_ambiguous_names_stay_unresolved_with_suggestions(text):
    m = resolve(text)
    assert m.iso3 is None and len(m.suggestions) >= 2, m


@pytest.mark.parametrize("text, suggested", [
    ("Georgia (US)", {"GEO"}), ("Sudan (including South Sudan)", {"SDN", "SSD"}), ("Congo (France)", {"COG", "COD"}),
])
def test_a_note_that_contradicts_the_name_is_not_guessed(text, suggested):
    m = resolve(text)
    assert m.iso3 is None, m
    assert suggested <= set(m.suggestions), m


def test_alias_files_have_a_header_and_say_where_each_spelling_comes_from():
    vocab = Path(__file__).resolve().parent.parent / "data" / "vocabulary"
    for name in ("country_aliases.csv", "country_territories.csv"):
        lines = (vocab / name).read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("#"), name
        rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
        assert rows and all(r.get("source", "").strip() for r in rows), name
