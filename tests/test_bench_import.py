"""The import benchmark runs for every record type (timings are printed, never asserted)."""

from __future__ import annotations

import hashlib

from collab_data import bench, cli


def test_bench_import_prints_a_line_per_type_and_leaves_the_database_alone(sample_db_path, capsys):
    before = hashlib.sha256(sample_db_path.read_bytes()).hexdigest()
    assert cli.main(["bench", "import", "--type", "all", "--rows", "50", "--db", str(sample_db_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:3] == ["type", "rows", "file"]
    lines = {ln.split()[0]: ln.split() for ln in out[2:] if ln.split() and ln.split()[0] in bench.IMPORTERS}
    assert set(lines) == set(bench.IMPORTERS) >= {"activities", "partners", "tools", "programmes"}
    for kind in ("activities", "partners", "tools", "programmes"):
        rows, written = int(lines[kind][1].replace(",", "")), int(lines[kind][7].replace(",", ""))
        assert rows >= 50 and written >= 45, lines[kind]
    assert hashlib.sha256(sample_db_path.read_bytes()).hexdigest() == before


def test_the_generated_files_are_seeded_and_their_names_new():
    for kind in ("partners", "tools", "programmes"):
        importer = bench.IMPORTERS[kind]()
        assert importer.make(200) == importer.make(200)
    names = [line.split(",")[0] for line in bench.synthetic_partners_csv(3000).decode().splitlines()[1:]]
    assert len(set(names)) == 3000


def test_a_type_without_its_module_is_named_not_measured(sample_db_path, monkeypatch):
    monkeypatch.setitem(bench.IMPORTERS, "someday", lambda: None)
    rows = bench.bench_import_types(["someday"], [10], db=sample_db_path)
    assert rows == [{"type": "someday", "rows": 0, "missing": True}]
    assert "its module is not there yet" in bench.format_import_types(rows)


def test_the_3w_and_iati_update_benches_import_without_errors(sample_db_path):
    from collab_data.records import programme_sources as PS

    sheet = bench.synthetic_threew_csv(300)
    lines = sheet.decode("utf-8").splitlines()
    assert lines[1].startswith("#org+name,#org+acronym,#country+name,#adm1+name") and len(lines) == 302
    assert PS.detect(sheet, "3w.csv") == "3w" and sheet == bench.synthetic_threew_csv(300)
    rows = {r["type"]: r for r in bench.bench_import_types(["threew", "iati-update"], [300], db=sample_db_path)}
    three, update = rows["threew"], rows["iati-update"]
    assert three["rows"] == 300 and three["errors"] == 0 and 250 <= three["written"] <= 300, three
    assert update["rows"] == 300 and update["errors"] == 0 and update["written"] > 0, update
    assert "threew" in bench.format_import_types(list(rows.values()))
