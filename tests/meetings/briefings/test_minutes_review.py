"""
The minutes' review as people live it (issue 14): the leader's reason for returning them reaches the
drafter and stays on the draft; the draft tells the time the meeting really ran; an approved version
replaced by an approved amendment reads "superseded"; each step says it was done; approved minutes
or minutes in review never open in the edit form.
"""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from live.models import LiveAction
from meetings.models import Meeting, Minutes
from meetings.services import briefings as services
from notifications.choices import NotificationKind
from notifications.models import Notification
from tests.meetings.briefings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def texts(response) -> list[str]:
    """The messages added by this request (those of earlier, unfollowed redirects come first)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def test_the_leaders_reason_for_returning_reaches_the_drafter_and_stays_on_the_draft(client, office, leader, meeting):
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_submit(minutes=minutes, user=office)
    client.force_login(leader)
    response = client.post(
        reverse("meetings:minutes_action", args=[minutes.pk, "return"]), {"reason": "Thiếu kết luận về mưa bão"}
    )
    assert response.status_code == 302
    assert any("returned to draft" in t for t in texts(response))

    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT and minutes.return_reason == "Thiếu kết luận về mưa bão"
    (notice,) = Notification.objects.filter(recipient=office, kind=NotificationKind.MINUTES_RETURNED)
    assert "Thiếu kết luận về mưa bão" in notice.body and notice.url == minutes.get_absolute_url()
    assert not notice.is_read

    client.force_login(office)
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert "Thiếu kết luận về mưa bão" in page and "Returned to draft by" in page

    services.minutes_submit(minutes=minutes, user=office)  # submitted again: the notice is answered
    notice.refresh_from_db()
    assert notice.is_read
    assert "Returned to draft by" not in client.get(minutes.get_absolute_url()).content.decode()  # history keeps it


def test_the_draft_tells_the_time_the_meeting_really_ran_in_the_live_room(office, host):
    meeting = make_meeting(office, host, starts_in=-timedelta(days=1), title="Giao ban trực tuyến")
    started = meeting.starts_at + timedelta(minutes=7)
    ended = meeting.starts_at + timedelta(minutes=68)
    for action, at in ((LiveAction.Action.START, started), (LiveAction.Action.END, ended)):
        row = LiveAction.objects.create(meeting=meeting, action=action, user=office)
        LiveAction.objects.filter(pk=row.pk).update(at=at)  # `at` is set on creation
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.ENDED)
    meeting.refresh_from_db()

    body = services.minutes_draft_create(meeting=meeting, user=office).body
    start, end = timezone.localtime(started), timezone.localtime(ended)
    assert f"Thời gian: {start:%H} giờ {start:%M} phút, ngày {start:%d/%m/%Y}." in body
    assert f"Cuộc họp kết thúc lúc {end:%H} giờ {end:%M} phút" in body
    scheduled = timezone.localtime(meeting.starts_at)
    assert f"Thời gian: {scheduled:%H} giờ {scheduled:%M} phút" not in body


def test_an_approved_version_replaced_by_an_approved_amendment_reads_superseded(client, office, leader, meeting):
    first = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_update(minutes=first, user=office, number="15/BB-UBND")
    services.minutes_submit(minutes=first, user=office)
    services.minutes_approve(minutes=first, user=leader)
    second = services.minutes_amend(minutes=first, user=office, reason="Sai tên xã")
    client.force_login(leader)
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Superseded" not in page  # the amendment is only a draft: version 1 is still in force

    services.minutes_submit(minutes=second, user=office)
    services.minutes_approve(minutes=second, user=leader)
    first = Minutes.objects.get(pk=first.pk)
    assert first.superseded_by == second and first.display_status[0] == "superseded"
    page = client.get(first.get_absolute_url()).content.decode()
    assert "Superseded by version 2" in page and second.get_absolute_url() in page
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Superseded" in meeting_page
    assert "thay thế bởi bản số 2" in services.minutes_pdf_html(minutes=first)
    assert "thay thế bởi bản số" not in services.minutes_pdf_html(minutes=second)


def test_submit_and_approve_say_they_were_done(client, office, leader, meeting):
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    client.force_login(office)
    response = client.post(reverse("meetings:minutes_action", args=[minutes.pk, "submit"]))
    assert texts(response) == ["Version 1 submitted: the leaders are asked to approve it."]
    client.force_login(leader)
    response = client.post(reverse("meetings:minutes_action", args=[minutes.pk, "approve"]))
    assert texts(response) == ["Version 1 approved; its PDF is being prepared."]
    response = client.post(reverse("meetings:minutes_action", args=[minutes.pk, "approve"]))  # twice: refused
    assert texts(response) == ["Only minutes in review can be approved."]


def test_approved_or_in_review_minutes_never_open_in_the_edit_form(client, office, leader, meeting):
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    edit = reverse("meetings:minutes_edit", args=[minutes.pk])
    client.force_login(office)
    assert client.get(edit).status_code == 200  # a draft opens

    services.minutes_submit(minutes=minutes, user=office)
    response = client.get(edit)
    assert response.status_code == 302 and response.url == minutes.get_absolute_url()
    assert texts(response) == ["These minutes are in review; they can be edited after being returned to draft."]

    services.minutes_approve(minutes=minutes, user=leader)
    response = client.get(edit)
    assert response.status_code == 302 and response.url == minutes.get_absolute_url()
    assert texts(response) == ["Approved minutes cannot be changed; amend them instead."]
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert edit not in page


def _pdf_pages(pdf: bytes) -> list[str]:
    import subprocess

    pages, number = [], 1
    while True:
        done = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), "-", "-"], input=pdf, capture_output=True
        )
        if done.returncode != 0 or number > 40:
            return pages
        pages.append(done.stdout.decode())
        number += 1


def test_minutes_pdf_keeps_each_task_row_on_one_page_and_the_signatures_with_the_text(office, leader, meeting):
    """Issue 14: a long task list split rows across pages and could leave the signatures on a page of their own."""
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    units = [inv.bridge_point.room.site.unit for inv in meeting.invitations.select_related("bridge_point__room__site")]
    long = (
        "Rà soát phương án phòng chống bão, sơ tán dân và kiểm tra tàu thuyền, báo cáo về Văn phòng HĐND-UBND huyện. "
    )
    for n, unit in enumerate(units[:8], start=1):
        services.task_create(
            meeting=meeting,
            unit=unit,
            title=f"T{n}A {long * 3}T{n}Z",
            due_on=timezone.localdate() + timedelta(days=30),
            user=office,
        )
    filler = "Nội dung thảo luận của các điểm cầu về tình hình kinh tế - xã hội trong tuần. " * 12
    body = minutes.body
    for extra in range(0, 6):  # the page breaks fall at different places in the list
        services.minutes_update(minutes=minutes, user=office, body=body + f"\n\n{filler}" * extra)
        minutes.refresh_from_db()
        pages = _pdf_pages(services.minutes_pdf(minutes=minutes))
        for n in range(1, 9):
            starts = [i for i, page in enumerate(pages) if f"T{n}A " in page]
            ends = [i for i, page in enumerate(pages) if f"T{n}Z" in page]
            assert starts == ends and len(starts) == 1, f"task {n} split across pages {starts} → {ends} ({extra=})"
        (signed,) = [i for i, page in enumerate(pages) if "THƯ KÝ" in page]
        above = pages[signed].split("THƯ KÝ")[0]
        assert any(f"T{n}Z" in above for n in range(1, 9)), (
            f"the signatures stand alone on page {signed + 1} ({extra=})"
        )
