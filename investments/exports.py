"""
Exports of a plan: the total investment estimate and the phased roadmap, as XLSX (openpyxl) and
PDF (WeasyPrint). Amounts are written as integer values taken from the same selectors as the page,
so the files agree with it to the đồng. They are values, not formulas: a reader without a
calculation engine (openpyxl, many viewers and mail previews) would see an empty cell for a formula.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from investments.choices import FundingSource
from investments.models import InvestmentPlan, PlanLine
from investments.selectors import plan_funding, plan_totals

MONEY = '#,##0 "₫"'
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")


def _sheet(wb: Workbook, title: str, header: list[str], widths: list[int]) -> Any:
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
        cell = ws.cell(row=1, column=n)
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    return ws


def _money(ws: Any, columns: list[int]) -> None:
    for col in columns:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = MONEY


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def estimate_xlsx(*, plan: InvestmentPlan) -> bytes:
    """Sheets: line items (with the total as the last row), totals per phase, per site, per item kind."""
    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    ws = _sheet(
        wb,
        _("Estimate"),
        [
            _("Site"),
            _("Item"),
            _("Unit"),
            _("Quantity"),
            _("Unit price (VND)"),
            _("Amount (VND)"),
            _("Phase"),
            _("Zone"),
        ],
        [34, 36, 10, 10, 18, 20, 30, 18],
    )
    rows = (
        PlanLine.objects.filter(plan=plan)
        .order_by("site__name", "item__name", "pk")
        .values_list(
            "site__name",
            "item__name",
            "item__unit",
            "quantity",
            "unit_price_vnd",
            "amount_vnd",
            "phase__number",
            "zone",
        )
    )
    total = 0
    for site, item, unit, qty, price, amount, phase, zone in rows.iterator(chunk_size=5000):
        ws.append([site, item, unit, qty, price, amount, phase or "", zone])
        total += amount
    ws.append([_("Total"), None, None, None, None, total])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    ws.cell(row=ws.max_row, column=6).font = BOLD
    _money(ws, [5, 6])

    totals = plan_totals(plan=plan)
    for title, breakdown in (
        (_("Per phase"), totals.by_phase),
        (_("Per site"), totals.by_site),
        (_("Per item kind"), totals.by_kind),
    ):
        sheet = _sheet(wb, title, [title, _("Lines / quantity"), _("Amount (VND)")], [44, 16, 20])
        for t in breakdown:
            sheet.append([t.label, t.quantity, t.amount_vnd])
        sheet.append([_("Total"), None, totals.total_vnd])
        sheet.cell(row=sheet.max_row, column=1).font = BOLD
        _money(sheet, [3])
    info = wb.create_sheet(_("Plan"), 0)
    for label, value in (
        (_("Plan"), plan.title),
        (_("Years"), f"{plan.start_year}–{plan.end_year}"),
        (_("Status"), plan.get_status_display()),
        (_("Version"), plan.version),
        (_("Prices on"), plan.price_date.strftime("%d/%m/%Y")),
        (_("Total estimate (VND)"), totals.total_vnd),
        (_("Saved by reusing equipment (VND)"), totals.saving_vnd),
        (_("Exported"), timezone.localtime().strftime("%d/%m/%Y %H:%M")),
    ):
        info.append([label, value])
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 34, 60
    for (cell,) in info.iter_rows(min_row=6, max_row=7, min_col=2, max_col=2):
        cell.number_format = MONEY
    return _save(wb)


def roadmap_xlsx(*, plan: InvestmentPlan) -> bytes:
    """Sheets: phases over the years (planned per year), and funding per year, phase and source."""
    funding = plan_funding(plan=plan)
    wb = Workbook()
    wb.remove(wb.active)
    ws = _sheet(
        wb,
        _("Roadmap"),
        [
            _("Phase"),
            _("First year"),
            _("Last year"),
            _("Planned (VND)"),
            _("Allocated (VND)"),
            _("Committed (VND)"),
            _("Spent (VND)"),
        ],
        [44, 10, 10, 20, 20, 20, 20],
    )
    for phase, row in zip(plan.phases.all(), funding.by_phase, strict=True):
        ws.append(
            [
                str(phase),
                phase.start_year,
                phase.end_year,
                row.planned_vnd,
                row.allocated_vnd,
                row.committed_vnd,
                row.spent_vnd,
            ]
        )
    t = funding.totals
    ws.append([_("Total"), None, None, t.planned_vnd, t.allocated_vnd, t.committed_vnd, t.spent_vnd])
    ws.cell(row=ws.max_row, column=1).font = BOLD
    _money(ws, [4, 5, 6, 7])

    sources = list(FundingSource.choices)
    ws = _sheet(
        wb,
        _("Per year"),
        [
            _("Year"),
            _("Planned (VND)"),
            *[str(label) for _v, label in sources],
            _("Allocated (VND)"),
            _("Committed (VND)"),
            _("Spent (VND)"),
        ],
        [10, 20, *[20] * len(sources), 20, 20, 20],
    )
    for row in funding.by_year:
        ws.append(
            [
                row.key,
                row.planned_vnd,
                *[row.by_source.get(v, 0) for v, _l in sources],
                row.allocated_vnd,
                row.committed_vnd,
                row.spent_vnd,
            ]
        )
    ws.append(
        [
            _("Total"),
            t.planned_vnd,
            *[t.by_source.get(v, 0) for v, _l in sources],
            t.allocated_vnd,
            t.committed_vnd,
            t.spent_vnd,
        ]
    )
    _money(ws, list(range(2, 6 + len(sources))))

    ws = _sheet(
        wb, _("Per site"), [_("Site"), _("Planned (VND)"), _("Committed (VND)"), _("Spent (VND)")], [40, 20, 20, 20]
    )
    for row in funding.by_site:
        ws.append([row.label, row.planned_vnd, row.committed_vnd, row.spent_vnd])
    _money(ws, [2, 3, 4])
    return _save(wb)


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    context = {
        "issuer": getattr(settings, "INVESTMENTS_PDF_ISSUER", []),
        "place": getattr(settings, "INVESTMENTS_PDF_PLACE", ""),
        "now": timezone.localtime(),
        **context,
    }
    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


def estimate_pdf(*, plan: InvestmentPlan) -> bytes:
    totals = plan_totals(plan=plan)
    lines = (
        PlanLine.objects.filter(plan=plan).select_related("site", "item", "phase").order_by("site__name", "item__name")
    )
    return _pdf(
        "investments/pdf/estimate.html",
        {"plan": plan, "totals": totals, "lines": lines, "now": timezone.localtime()},
    )


def roadmap_pdf(*, plan: InvestmentPlan) -> bytes:
    funding = plan_funding(plan=plan)
    phases = list(plan.phases.all())
    years = plan.years
    gantt = [
        {"phase": p, "row": r, "cells": [p.start_year <= y <= p.end_year for y in years]}
        for p, r in zip(phases, funding.by_phase, strict=True)
    ]
    return _pdf(
        "investments/pdf/roadmap.html",
        {
            "plan": plan,
            "funding": funding,
            "gantt": gantt,
            "years": years,
            "now": timezone.localtime(),
            "sources": FundingSource.choices,
        },
    )


EXPORTS = {
    ("estimate", "xlsx"): estimate_xlsx,
    ("roadmap", "xlsx"): roadmap_xlsx,
    ("estimate", "pdf"): estimate_pdf,
    ("roadmap", "pdf"): roadmap_pdf,
}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def plan_export(*, plan: InvestmentPlan, kind: str, fmt: str) -> tuple[bytes, str, str]:
    """(body, content type, file name) of one export; KeyError for an unknown kind or format."""
    body = EXPORTS[(kind, fmt)](plan=plan)
    return body, CONTENT_TYPES[fmt], f"{plan.code}-{kind}.{fmt}"
