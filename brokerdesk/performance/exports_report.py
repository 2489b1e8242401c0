"""The monthly pay report (薪酬月报表) as the Excel workbook a finance department files: a title,
branch, month and version; one row per person with every component, 应发合计, 扣款合计 and
实发金额; a totals row; the signature rows from the approval trail; and a second sheet
with every line of the computation."""

import json
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from brokerdesk.core.excel import XLSX
from brokerdesk.core.templatetags.bd import cndate, yearmonth
from brokerdesk.performance.models import PayLine, PayRun
from brokerdesk.performance.selectors_report import (
    ReportTable,
    Signature,
    component_labels,
    person_name,
    report_table,
    signatures,
)

MONEY_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def report_headers() -> list[str]:
    return [
        _("No."),
        _("employee number"),
        _("full name"),
        _("team"),
        _("level"),
        *[str(label) for _code, label in component_labels()],
        _("Earned total"),
        _("Deductions total"),
        _("Net pay"),
    ]


def report_title() -> str:
    return _("Branch client managers' monthly pay report")


def version_label(run: PayRun) -> str:
    if run.corrects_id:
        return _("v%(version)s (corrects v%(old)s)") % {"version": run.version, "old": run.corrects.version}
    return f"v{run.version}"


def signer_text(sig: Signature) -> str:
    if not sig.name:
        return ""
    if sig.on_behalf_of:
        return _("%(name)s (for %(other)s)") % {"name": sig.name, "other": sig.on_behalf_of}
    return sig.name


def _report_sheet(ws, run: PayRun, table: ReportTable, sigs: list[Signature]) -> None:
    headers = report_headers()
    width = len(headers)
    last = get_column_letter(width)
    ws.append([report_title()])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    third = max(1, width // 3)
    meta = [None] * width
    meta[0] = _("Branch: %(branch)s") % {"branch": run.branch.name}
    meta[third] = _("Month: %(month)s") % {"month": yearmonth(run.month)}
    meta[2 * third] = _("Version: %(version)s") % {"version": version_label(run)}
    ws.append(meta)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=third)
    ws.merge_cells(start_row=2, start_column=third + 1, end_row=2, end_column=2 * third)
    ws.merge_cells(start_row=2, start_column=2 * third + 1, end_row=2, end_column=width)
    ws.append(headers)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in table.rows:
        slip = row.slip
        ws.append(
            [
                row.number,
                slip.staff.emp_no,
                slip.staff.name,
                slip.team.name if slip.team_id else "",
                slip.level.name if slip.level_id else "",
                *row.cells,
                slip.gross,
                slip.deductions,
                slip.total,
            ]
        )
    ws.append(
        [_("Total"), None, None, None, None, *table.total_cells, table.gross, table.deductions, table.total]
    )
    total_row = ws.max_row
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=5)
    for line in ws.iter_rows(min_row=header_row + 1, max_row=total_row):
        for cell in line:
            cell.border = BOX
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY_FORMAT
    for cell in ws[total_row]:
        cell.font = Font(bold=True)
    ws["A" + str(total_row)].alignment = Alignment(horizontal="center")
    # Signature rows: who prepared, who reviewed, and the three signers of 第十五条.
    ws.append([])
    people = [
        (_("Prepared by"), person_name(run.computed_by), run.computed_at),
        (_("Reviewed by (finance)"), person_name(run.reviewed_by), run.reviewed_at),
        *[(sig.label, signer_text(sig), sig.at) for sig in sigs],
    ]
    for label, name, at in people:
        ws.append([None, f"{label}：", None, name, None, None, cndate(at) if at else ""])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=3)
        ws.merge_cells(start_row=r, start_column=4, end_row=r, end_column=6)
        ws.merge_cells(start_row=r, start_column=7, end_row=r, end_column=9)
        ws.row_dimensions[r].height = 24
    if run.status == PayRun.Status.SIGNED:
        ws.append([])
        ws.append(
            [
                _("Signed %(when)s; filed with the integrated office %(filed)s. Content hash %(hash)s")
                % {"when": cndate(run.signed_at), "filed": cndate(run.filed_at), "hash": run.content_hash}
            ]
        )
    widths = [6, 10, 10, 12, 8] + [12] * (width - 5)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.row_dimensions[header_row].height = 32
    ws.freeze_panes = ws.cell(row=header_row + 1, column=4)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def _inputs_text(inputs) -> str:
    if not inputs:
        return ""
    if isinstance(inputs, dict):
        return "；".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in inputs.items())
    return json.dumps(inputs, ensure_ascii=False, default=str)


def _detail_sheet(ws, run: PayRun) -> None:
    headers = [
        _("No."),
        _("employee number"),
        _("full name"),
        _("team"),
        _("component"),
        _("how"),
        _("inputs"),
        _("amount"),
    ]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    lines = (
        PayLine.objects.filter(run=run)
        .select_related("staff", "slip__team")
        .order_by("staff__emp_no", "staff_id", "order", "id")
    )
    total = Decimal("0.00")
    labels = dict(component_labels())
    for number, line in enumerate(lines.iterator(chunk_size=2000), start=1):
        team = line.slip.team
        ws.append(
            [
                number,
                line.staff.emp_no,
                line.staff.name,
                team.name if team else "",
                str(labels.get(line.component, line.component)),
                line.explanation,
                _inputs_text(line.inputs),
                line.amount,
            ]
        )
        ws.cell(row=ws.max_row, column=8).number_format = MONEY_FORMAT
        total += line.amount
    ws.append([_("Total"), None, None, None, None, None, None, total])
    ws.cell(row=ws.max_row, column=8).number_format = MONEY_FORMAT
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for i, w in enumerate([6, 10, 10, 12, 16, 50, 50, 14], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"


def report_workbook(run: PayRun) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Pay report")[:31]
    _report_sheet(ws, run, report_table(run), signatures(run))
    _detail_sheet(wb.create_sheet(_("Line-by-line detail")[:31]), run)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def report_filename(run: PayRun) -> str:
    return f"{run.branch.code}-{run.month:%Y%m}-{report_title()}-v{run.version}.xlsx"


def report_response(run: PayRun) -> HttpResponse:
    response = HttpResponse(report_workbook(run), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(report_filename(run))}"
    return response
