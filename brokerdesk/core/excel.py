"""Excel out and in (openpyxl): what the back office would otherwise retype."""

from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


def workbook_response(filename: str, sheets: list[tuple[str, list[str], list[list]]]) -> HttpResponse:
    """An .xlsx download: bold shaded header row, frozen, money with thousands separators."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.append([str(h) for h in headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for row in rows:
            ws.append(row)
        for col in ws.iter_cols(min_row=2):
            for cell in col:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        for i, header in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(header)) * 2 + 4))
        ws.freeze_panes = "A2"
    buf = BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def read_rows(upload, *, max_rows: int = 20000) -> list[tuple[int, list]]:
    """(line number, cell values) for each non-empty row after the header of the first sheet."""
    wb = load_workbook(upload, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = []
    for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if line == 1:
            continue
        if values is None or all(v in (None, "") for v in values):
            continue
        if len(rows) >= max_rows:
            break
        rows.append((line, list(values)))
    wb.close()
    return rows
