"""
Starting a briefing whose host room booking still waits for its approver (issue 14), in Chromium on
the live room board: the board says so before the start, and the start button asks the host with
the reason; declining leaves the meeting scheduled, confirming starts it.
"""

import pytest

from accounts.roles import Role
from live.models import MediaServer
from meetings.models import Booking, Meeting
from tests.browser import page_as
from tests.live.conftest import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_host_confirms_starting_on_a_tentative_booking(browser, portal_server, briefing, make_user):
    meeting = briefing.meeting
    booking = Booking.objects.create(
        room=briefing.host.room,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        booked_by=briefing.organiser,
        status=Booking.Status.TENTATIVE,
    )
    Meeting.objects.filter(pk=meeting.pk).update(booking=booking)
    MediaServer.objects.create(name="b", server_name="janus-b", api_url="http://127.0.0.1:1/janus")
    host = make_user(Role.HOST)
    page = page_as(browser, portal_server.url, session_cookie(host))
    try:
        page.goto(f"{portal_server.url}/live/meetings/{meeting.pk}/board/")
        assert page.locator('[data-testid="room-booking"]').is_visible()
        assert "Tentative" in page.locator('[data-testid="room-booking"]').inner_text()
        start = page.locator("#btn-start")
        start.wait_for()

        asked = []

        def answer(dialog, accept):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", lambda dialog: answer(dialog, False))
        start.click()
        page.locator("#board-error").wait_for()
        assert "still tentative" in asked[0] and briefing.host.room.name in asked[0]
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.SCHEDULED

        page.once("dialog", lambda dialog: answer(dialog, True))
        start.click()
        page.locator("#meeting-status", has_text="Live").wait_for()
        assert len(asked) == 2
        assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.LIVE
    finally:
        page.context.close()
