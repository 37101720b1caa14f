"""One English word, two meanings: the context (msgctxt) makes each read right in Vietnamese (issue 14)."""

import re

import pytest
from django.utils import translation

from accounts.roles import Role
from meetings.forms.briefings import AgendaItemForm
from meetings.models import AgendaItem, DelegationMember
from sites.models import BridgePoint
from tests.meetings.briefings.conftest import make_meeting

pytestmark = pytest.mark.django_db


def test_agenda_column_and_ordering_field_read_right(client, settings, demo, make_user):
    settings.LANGUAGE_CODE = "vi"
    office = make_user(Role.OFFICE_STAFF)
    meeting = make_meeting(office, BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh"))
    client.force_login(office)
    html = client.get(meeting.get_absolute_url()).content.decode()
    agenda_head = re.search(r"<th>#</th><th>([^<]*)</th>", html)[1]
    assert agenda_head == "Nội dung"  # not "Thiết bị, vật tư" (an investment item)
    with translation.override("vi"):
        assert str(AgendaItem._meta.get_field("position").verbose_name) == "thứ tự"  # not "chức vụ"
        assert str(AgendaItemForm(meeting=meeting).fields["position"].label) == "Thứ tự"
        # The other meanings keep theirs.
        assert str(DelegationMember._meta.get_field("position").verbose_name) == "chức vụ"
        assert translation.gettext("Item") == "Thiết bị, vật tư"  # the investments' item
