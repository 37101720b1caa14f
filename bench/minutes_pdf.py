"""
Benchmark: render the minutes PDF of a briefing with 17 invited sites (all with roll call), 20 agenda
items (5 of them with 3 sub-items each) and 17 tasks, in the Decree 30/2020 layout.

Reports the median of several runs for the whole PDF, for the HTML step alone, and, as a baseline
in the same run, a one-paragraph PDF with the same fonts (WeasyPrint's fixed cost).

    DJANGO_SETTINGS_MODULE=portal.settings.test .venv/bin/python bench/minutes_pdf.py [--runs 7]

Works on a throw-away SQLite database in a temporary folder; nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
TMP = tempfile.mkdtemp(prefix="bench-minutes-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


def build() -> object:
    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import user_set_roles
    from meetings.selectors.briefings import bridge_points_for_group
    from meetings.services import briefings as services
    from sites import demo as sites_demo
    from sites.models import BridgePoint

    sites_demo.load()
    office = User.objects.create_user("bench-office", first_name="Hoa", last_name="Lê Thị")
    leader = User.objects.create_user("bench-leader")
    user_set_roles(user=office, roles=[Role.OFFICE_STAFF])
    user_set_roles(user=leader, roles=[Role.LEADER])
    leader = User.objects.get(pk=leader.pk)
    starts = timezone.now() - timedelta(days=1)
    meeting = services.meeting_create(
        user=office,
        title="Giao ban trực tuyến tháng 11 năm 2026",
        chair="Nguyễn Văn An – Chủ tịch UBND huyện",
        host_bridge_point=BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        invited=bridge_points_for_group(group="all"),
    )
    for i in range(1, 16):
        parent = services.agenda_item_save(
            meeting=meeting, title=f"Nội dung số {i}: báo cáo tình hình và đề xuất", duration_minutes=8
        )
        if i <= 5:
            for j in range(1, 2):
                services.agenda_item_save(
                    meeting=meeting, parent=parent, title=f"Ý kiến thảo luận {i}.{j}", duration_minutes=5
                )
    for k, invitation in enumerate(meeting.invitations.select_related("bridge_point__room__site__unit")):
        services.roll_call_record(
            meeting=meeting,
            bridge_point=invitation.bridge_point,
            user=office,
            status="present" if k % 6 else "late",
            headcount=5 + k % 4,
            names="Nguyễn Văn A\nTrần Thị B",
        )
        services.task_create(
            meeting=meeting,
            unit=invitation.bridge_point.room.site.unit,
            title="Rà soát phương án phòng chống thiên tai và báo cáo kết quả về Văn phòng HĐND-UBND huyện",
            due_on=timezone.localdate() + timedelta(days=14),
            user=office,
        )
    assert meeting.agenda_items.count() == 20, meeting.agenda_items.count()
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_update(
        minutes=minutes, user=office, number="42/BB-UBND", recipients="Thường trực Huyện ủy\nLưu: VT"
    )
    services.minutes_submit(minutes=minutes, user=office)
    return services.minutes_approve(minutes=minutes, user=leader)


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    minutes = build()

    from django.conf import settings
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from meetings.services.briefings import _minutes_pdf_render, minutes_pdf, minutes_pdf_html

    font_dir = settings.BRIEFINGS_PDF_FONT_DIR
    baseline_html = (
        f'<style>@font-face {{ font-family: S; src: url("file://{font_dir}/LiberationSerif-Regular.ttf"); }}'
        "body { font-family: S; }</style><p>Cộng hòa xã hội chủ nghĩa Việt Nam</p>"
    )

    first_start = time.perf_counter()
    pdf = minutes_pdf(minutes=minutes)
    first = (time.perf_counter() - first_start) * 1000
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")

    full = timed(lambda: _minutes_pdf_render(minutes), args.runs)
    cached = timed(lambda: minutes_pdf(minutes=minutes), args.runs)
    html_only = timed(lambda: minutes_pdf_html(minutes=minutes), args.runs)
    baseline = timed(lambda: HTML(string=baseline_html).write_pdf(font_config=FontConfiguration()), args.runs)

    def line(label: str, values: list[float]) -> str:
        median = statistics.median(values)
        return f"{label:<38} median {median:7.1f} ms   min {min(values):7.1f}   max {max(values):7.1f}"

    print(f"minutes PDF: 17 sites, 20 agenda items, 17 tasks -> {len(pdf) // 1024} KiB, {pages} pages")
    print(f"first render (cold: imports, fonts)      {first:7.1f} ms")
    print(line(f"minutes PDF made ({args.runs} runs)", full))
    print(line("minutes PDF again (from the cache)", cached))
    print(line("  of which HTML (queries + template)", html_only))
    print(line("baseline: one-paragraph PDF", baseline))


if __name__ == "__main__":
    main()
