"""Templates of every record type: the header (and a filled example) as CSV, or as an
Excel workbook with a Help sheet. ``specs`` maps a column to its field (``.label``,
``.required``, ``.help``)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date


def template_csv(specs: dict, example_rows: list[list[str]] | None = None) -> bytes:
    """A CSV template: the header, and the example rows when given."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(list(specs))
    if example_rows:
        w.writerows(example_rows)
    return out.getvalue().encode("utf-8")


#: An example value that a spreadsheet shows best as a date.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def template_xlsx(specs: dict, example_rows: list[list[str]] | None = None, *, title: str) -> bytes:
    """The template as an Excel workbook: the data sheet first (named ``title``: what the
    upload reader reads), with a bold header and readable widths, then a "Help" sheet with
    each column, whether it is required, and what to write in it (``Field.help``)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E8EEF4")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Data"
    names = list(specs)
    ws.append(names)
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for r, row in enumerate(example_rows or [], start=2):
        for c, value in enumerate(row, start=1):
            if not value:
                continue
            cell = ws.cell(row=r, column=c)
            if _ISO_DATE.fullmatch(value):
                cell.value = date.fromisoformat(value)
                cell.number_format = "yyyy-mm-dd"
            elif re.fullmatch(r"[1-9]\d{0,5}", value):
                cell.value = int(value)
            else:
                cell.value = value
                cell.data_type = "s"  # text stays text, even when it starts with "="
    for c, name in enumerate(names, start=1):
        longest = max([len(name)] + [len(str(row[c - 1])) for row in example_rows or [] if c - 1 < len(row)])
        ws.column_dimensions[get_column_letter(c)].width = min(max(12, longest + 2), 60)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet("Help")
    help_ws.append(["Column", "Required", "What to write"])
    for cell in help_ws[1]:
        cell.font, cell.fill = bold, fill
    for f in specs.values():
        help_ws.append([f.name, "required" if f.required else "optional", f"{f.label}: {f.help}"])
    for col, width in (("A", max(12, max(len(n) for n in names) + 2)), ("B", 11), ("C", 90)):
        help_ws.column_dimensions[col].width = width
    for row in help_ws.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    """The rows below the header of a CSV template: the example rows, for the same example in xlsx."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
