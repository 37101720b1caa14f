"""
Exports of a plan: the total investment estimate and the phased roadmap, as XLSX (openpyxl) and
PDF (WeasyPrint). Amounts are written as integer values taken from the same selectors as the page,
so the files agree with it to the đồng. They are values, not formulas: a reader without a
calculation engine (openpyxl, many viewers and mail previews) would see an empty cell for a formula.
"""

from __future__ import annotations

import hashlib
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from common.spreadsheets import safe_cell
from investments.choices import FundingSource
from investments.models import InvestmentPlan, PlanLine
from investments.selectors import plan_funding, plan_totals

MONEY = '#,##0 "₫"'
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE6F0")


class _Sheet:
    """A write-only worksheet (fast for tens of thousands of rows) with a styled header and money columns."""

    def __init__(self, wb: Workbook, title: str, header: list[str], widths: list[int], money: set[int]) -> None:
        self.ws = wb.create_sheet(title[:31])
        self.money = money  # 1-based column numbers shown as đồng
        for n, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(n)].width = width
        self.ws.freeze_panes = "A2"
        self.append(header, header=True)

    def append(
        self, values: list[Any], *, bold: bool = False, header: bool = False, money: set[int] | None = None
    ) -> None:
        money = self.money if money is None else money
        cells = []
        for n, value in enumerate(values, start=1):
            cell = WriteOnlyCell(self.ws, value=safe_cell(value))
            if header:
                cell.font, cell.fill = BOLD, HEAD_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif n in money:
                cell.number_format = MONEY
            if bold:
                cell.font = BOLD
            cells.append(cell)
        self.ws.append(cells)


def _workbook() -> Workbook:
    return Workbook(write_only=True)


def _save(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def estimate_xlsx(*, plan: InvestmentPlan) -> bytes:
    """Sheets: the plan, line items (with the total as the last row), totals per phase, per site, per item kind."""
    totals = plan_totals(plan=plan)
    wb = _workbook()
    info = _Sheet(wb, _("Plan"), [_("Plan"), plan.title], [34, 60], money=set())
    for label, value, is_money in (
        (_("Years"), f"{plan.start_year}–{plan.end_year}", False),
        (_("Status"), plan.get_status_display(), False),
        (_("Version"), plan.version, False),
        (_("Prices on"), plan.price_date.strftime("%d/%m/%Y"), False),
        (_("Total estimate (VND)"), totals.total_vnd, True),
        (_("Saved by reusing equipment (VND)"), totals.saving_vnd, True),
        (_("Exported"), timezone.localtime().strftime("%d/%m/%Y %H:%M"), False),
    ):
        info.append([label, value], money={2} if is_money else set())

    ws = _Sheet(
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
        [34, 36, 10, 10, 18, 20, 10, 18],
        money={5, 6},
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
    ws.append([_("Total"), None, None, None, None, total], bold=True)

    for title, breakdown in (
        (_("Per phase"), totals.by_phase),
        (_("Per site"), totals.by_site),
        (_("Per item kind"), totals.by_kind),
    ):
        sheet = _Sheet(wb, title, [title, _("Lines / quantity"), _("Amount (VND)")], [44, 16, 20], money={3})
        for t in breakdown:
            sheet.append([t.label, t.quantity, t.amount_vnd])
        sheet.append([_("Total"), None, totals.total_vnd], bold=True)
    return _save(wb)


def roadmap_xlsx(*, plan: InvestmentPlan) -> bytes:
    """Sheets: phases over the years with their money, funding per year and source, per site."""
    funding = plan_funding(plan=plan)
    t = funding.totals
    wb = _workbook()
    ws = _Sheet(
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
        money={4, 5, 6, 7},
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
    ws.append([_("Total"), None, None, t.planned_vnd, t.allocated_vnd, t.committed_vnd, t.spent_vnd], bold=True)

    sources = list(FundingSource.choices)
    ws = _Sheet(
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
        money=set(range(2, 6 + len(sources))),
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
        ],
        bold=True,
    )

    ws = _Sheet(
        wb,
        _("Per site"),
        [_("Site"), _("Planned (VND)"), _("Committed (VND)"), _("Spent (VND)")],
        [40, 20, 20, 20],
        money={2, 3, 4},
    )
    for row in funding.by_site:
        ws.append([row.label, row.planned_vnd, row.committed_vnd, row.spent_vnd])
    return _save(wb)


# Raise when the PDF's look changes without its HTML changing (fonts, WeasyPrint options), so that
# PDFs made before are made again.
PDF_LAYOUT = 1
PDF_CACHE_SECONDS = 30 * 24 * 3600


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    """
    The PDF of `template`. Rendering the HTML takes milliseconds, laying it out with WeasyPrint
    seconds: the PDF is kept in the cache under a hash of its HTML, so it is made again exactly
    when what it shows changes (a line, a price, a phase, a status, a site's name, the language,
    the date on the header), and a download of an unchanged plan is instant.
    """
    context = {
        "issuer": getattr(settings, "INVESTMENTS_PDF_ISSUER", []),
        "place": getattr(settings, "INVESTMENTS_PDF_PLACE", ""),
        "now": timezone.localtime(),
        **context,
    }
    html = render_to_string(template, context)
    key = f"investments-pdf:{PDF_LAYOUT}:{hashlib.sha256(html.encode()).hexdigest()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = _pdf_render(html)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def _pdf_render(html: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is made

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
