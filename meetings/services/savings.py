"""The yearly report of what the network saves, as XLSX (openpyxl) and PDF (WeasyPrint, like the minutes)."""

from __future__ import annotations

import io

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.selectors.savings import SavingsReport


def _header() -> list[str]:
    return [_("Trips"), _("Person-trips"), _("Kilometres"), _("Person-hours"), _("Travel allowance (đồng)")]


def _figures(total) -> list:
    return [total.trips, total.person_trips, total.km, total.hours, total.dong]


def savings_xlsx(*, report: SavingsReport) -> bytes:
    """Two sheets: per commune and per briefing, each with its total."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    units = book.active
    units.title = _("Per commune")[:31]
    units.append([_("What the network saved in %(year)d") % {"year": report.year}])
    units["A1"].font = Font(bold=True, size=13)
    units.append([])
    units.append([_("Commune"), *_header()])
    for u in report.units:
        units.append([u.name, *_figures(u.total)])
    units.append([_("Total"), *_figures(report.total)])
    for row in (units[3], units[units.max_row]):
        for cell in row:
            cell.font = Font(bold=True)
    meetings = book.create_sheet(_("Per briefing")[:31])
    meetings.append([_("Date"), _("Briefing"), *_header()])
    for m in report.meetings:
        meetings.append(
            [timezone.localtime(m.meeting.starts_at).strftime("%d/%m/%Y"), m.meeting.title, *_figures(m.total)]
        )
    meetings.append(["", _("Total"), *_figures(report.total)])
    for sheet, widths in ((units, (30, 10, 12, 12, 12, 22)), (meetings, (12, 40, 10, 12, 12, 12, 22))):
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        for line in sheet.iter_rows():
            for cell in line:
                if isinstance(cell.value, int) and cell.value >= 1000:
                    cell.number_format = "#,##0"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def savings_pdf(*, report: SavingsReport) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(
        "meetings/briefings/savings_pdf.html",
        {
            "report": report,
            "font_dir": settings.BRIEFINGS_PDF_FONT_DIR,
            "rates": {
                "per_km": settings.TRAVEL_ALLOWANCE_PER_KM,
                "per_person": settings.TRAVEL_ALLOWANCE_PER_PERSON_TRIP,
            },
            "made_on": timezone.localdate(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=FontConfiguration())
