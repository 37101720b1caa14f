"""
Notifications and e-mails are written in the recipient's language, whatever language is active where
they are built (a Celery task, the demo loader, an English request), and e-mails carry absolute links.
"""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from meetings.services.briefings import minutes_draft_create, minutes_submit
from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.services import Text, notify
from tests.meetings.briefings.conftest import make_meeting

pytestmark = pytest.mark.django_db


@override_settings(LANGUAGE_CODE="vi", PORTAL_BASE_URL="https://giaoban.example.vn")
def test_each_recipient_reads_their_own_language(make_user, django_capture_on_commit_callbacks):
    """Built while English is active (as the demo loader and tasks did): the Vietnamese reader gets Vietnamese."""
    vi_reader = make_user(Role.LEADER, email="vi@example.vn")  # no choice: the portal's language
    en_reader = make_user(Role.LEADER, email="en@example.vn", language="en")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[vi_reader, en_reader],
            kind=NotificationKind.MINUTES_TO_APPROVE,
            title=Text(gettext_lazy("Minutes of %(meeting)s await your approval"), meeting="Giao ban tuần"),
            body=Text(gettext_lazy("Version %(version)d, submitted by %(user)s."), version=2, user="Lê Thị Hoa"),
            url="/meetings/minutes/7/",
        )
    titles = dict(Notification.objects.values_list("recipient__username", "title"))
    with translation.override("vi"):
        vietnamese = str(Text(gettext_lazy("Minutes of %(meeting)s await your approval"), meeting="Giao ban tuần"))
    assert "approval" not in vietnamese
    assert titles[vi_reader.username] == vietnamese
    assert titles[en_reader.username] == "Minutes of Giao ban tuần await your approval"
    by_to = {m.to[0]: m for m in mail.outbox}
    assert "approval" not in by_to["vi@example.vn"].subject
    assert "https://giaoban.example.vn/meetings/minutes/7/" in by_to["vi@example.vn"].body
    assert "Mở trên cổng thông tin" in by_to["vi@example.vn"].body
    assert "Open in the portal: https://giaoban.example.vn/meetings/minutes/7/" in by_to["en@example.vn"].body
    assert "submitted by Lê Thị Hoa" in by_to["en@example.vn"].body


@override_settings(LANGUAGE_CODE="vi")
def test_briefing_notices_built_in_english_reach_vietnamese_officers_in_vietnamese(demo, make_user):
    """The invitation and review notices (also sent by the demo loader and tasks) follow the reader."""
    from sites.models import AdministrativeUnit, BridgePoint

    office = make_user(Role.OFFICE_STAFF)
    officer = make_user(Role.COMMUNE_OFFICER, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    leader = make_user(Role.LEADER)
    with translation.override("en"):
        meeting = make_meeting(office, BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh"))
        minutes = minutes_draft_create(meeting=meeting, user=office)
        minutes_submit(minutes=minutes, user=office)
    invitation = Notification.objects.get(recipient=officer, kind=NotificationKind.DELEGATION_TO_CONFIRM)
    review = Notification.objects.get(recipient=leader, kind=NotificationKind.MINUTES_TO_APPROVE)
    for row in (invitation, review):
        assert not {"Confirm", "delegation", "approval", "Version", "submitted"} & set(
            (row.title + " " + row.body).replace(".", " ").split()
        ), row.title + row.body
    with translation.override("vi"):
        assert invitation.title == str(
            Text(gettext_lazy("Confirm your delegation to %(meeting)s"), meeting=meeting.title)
        )


def test_switching_language_is_kept_on_the_account(client, make_user):
    user = make_user(Role.OFFICE_STAFF)
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    assert User.objects.get(pk=user.pk).language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=user.pk).preferred_language == "en"
