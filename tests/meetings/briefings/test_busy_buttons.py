"""
Slow buttons and links carry the busy state (issue 14, static/common/busy.js): drafting the minutes,
the minutes PDF, the attendance and savings files, the lists' exports. The text shown while busy is
translated; the browser side is tested in tests/journeys/test_busy_state.py.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.services import briefings as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def vi(settings):
    settings.LANGUAGE_CODE = "vi"


def busy_marks(html: str) -> dict[str, str]:
    """href or form action → the busy text, for every element marked data-busy."""
    marks = {}
    for tag in re.findall(r"<(?:a|button)\b[^>]*\bdata-busy=[^>]*>", html):
        href = re.search(r'href="([^"]+)"', tag)
        marks[href[1] if href else "button"] = re.search(r'data-busy="([^"]*)"', tag)[1]
    return marks


def test_the_slow_actions_of_a_meeting_are_marked_in_vietnamese(client, meeting, office, vi):
    client.force_login(office)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "/static/common/busy.js" in page
    assert busy_marks(page) == {"button": "Đang tạo biên bản…"}
    assert re.search(r'action="[^"]*/minutes/add/"[^>]*>.*?<button[^>]*data-busy=', page, re.S)

    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert busy_marks(page) == {reverse("meetings:minutes_pdf", args=[minutes.pk]): "Đang chuẩn bị tệp PDF…"}

    page = client.get(reverse("meetings:briefing_attendance", args=[meeting.pk])).content.decode()
    assert busy_marks(page) == {
        reverse("meetings:briefing_attendance_xlsx", args=[meeting.pk]): "Đang chuẩn bị tệp XLSX…"
    }

    year = timezone.localdate().year
    page = client.get(reverse("meetings:briefing_savings"), {"year": year}).content.decode()
    assert busy_marks(page) == {
        reverse("meetings:briefing_savings_xlsx", args=[year]): "Đang chuẩn bị tệp XLSX…",
        reverse("meetings:briefing_savings_pdf", args=[year]): "Đang chuẩn bị tệp PDF…",
    }


def test_list_exports_are_marked_in_the_page_language(client, office, demo):
    client.force_login(office)
    page = client.get(reverse("sites:site_list")).content.decode()
    export = reverse("sites:site_export")
    assert busy_marks(page) == {
        f"{export}?format=xlsx": "Preparing the XLSX file…",
        f"{export}?format=csv": "Preparing the CSV file…",
    }
