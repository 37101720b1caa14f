"""
The minutes' review as people live it (issue 14): the leader's reason for returning them reaches the
drafter and stays on the draft; the draft tells the time the meeting really ran; an approved version
replaced by an approved amendment reads "superseded"; each step says it was done; approved minutes
or minutes in review never open in the edit form.
"""

import pytest
from django.urls import reverse

from meetings.models import Minutes
from meetings.services import briefings as services
from notifications.choices import NotificationKind
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_leaders_reason_for_returning_reaches_the_drafter_and_stays_on_the_draft(client, office, leader, meeting):
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_submit(minutes=minutes, user=office)
    client.force_login(leader)
    response = client.post(
        reverse("meetings:minutes_action", args=[minutes.pk, "return"]), {"reason": "Thiếu kết luận về mưa bão"}
    )
    assert response.status_code == 302

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
