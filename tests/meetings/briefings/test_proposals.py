"""
Communes' proposals (kiến nghị): a commune records its own, the assigned district office answers,
the commune is told; who sees and answers what (403/404), the follow-up at the next briefing, the
leaders' panel and constant query counts on the list.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from common.exceptions import ConflictError, PermissionDeniedError
from meetings.models import DistrictOffice, Proposal
from meetings.services import proposals as proposal_services
from meetings.services.notices import proposals_announce_due
from notifications.choices import NotificationKind
from notifications.models import Notification
from sites.models import AdministrativeUnit

from .conftest import invitation_of, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def tckh(demo, make_user):
    """Phòng TC-KH with one member of the office staff."""
    office = DistrictOffice.objects.create(
        district=AdministrativeUnit.objects.get(code="nui-thanh"), short_name="Phòng TC-KH", name="Tài chính – Kế hoạch"
    )
    member = make_user(Role.OFFICE_STAFF, username="tckh")
    office.members.add(member)
    return office


@pytest.fixture
def member(tckh):
    return tckh.members.get()


def record(meeting, unit_code, office, user, **extra):
    inv = invitation_of(meeting, unit_code)
    return proposal_services.proposal_create(
        meeting=meeting,
        unit=inv.bridge_point.room.site.unit,
        text=extra.pop("text", "Đề nghị hỗ trợ sửa kè biển"),
        office=office,
        due_on=extra.pop("due_on", timezone.localdate() + timedelta(days=10)),
        user=user,
        **extra,
    )


def test_officer_records_for_own_commune_from_the_meeting_page_and_the_office_is_told(
    client, meeting, officer, tckh, member
):
    client.force_login(officer)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'id="proposal-form"' in page
    tam_hai = AdministrativeUnit.objects.get(code="tam-hai")
    item = meeting.agenda_items.first()
    due = timezone.localdate() + timedelta(days=20)
    response = client.post(
        reverse("meetings:proposal_add", args=[meeting.pk]),
        {
            "unit": tam_hai.pk,
            "agenda_item": item.pk,
            "text": "Đề nghị nạo vét cửa biển",
            "office": tckh.pk,
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.unit, proposal.agenda_item, proposal.office, proposal.due_on) == (tam_hai, item, tckh, due)
    assert proposal.created_by == officer and proposal.status == Proposal.Status.OPEN
    notice = Notification.objects.get(recipient=member)
    assert notice.kind == NotificationKind.PROPOSAL_TO_ANSWER and notice.url == proposal.get_absolute_url()
    assert "Tam Hải" in notice.title


def test_officer_cannot_record_for_another_commune(client, meeting, officer, tckh):
    with pytest.raises(PermissionDeniedError):
        record(meeting, "tam-giang", tckh, officer)
    client.force_login(officer)
    other = AdministrativeUnit.objects.get(code="tam-giang")
    client.post(
        reverse("meetings:proposal_add", args=[meeting.pk]),
        {"unit": other.pk, "text": "x", "office": tckh.pk, "due_on": timezone.localdate().isoformat()},
    )
    assert not Proposal.objects.exists()


def test_floor_turn_gives_bridge_point_agenda_item_and_time(meeting, office, tckh):
    from meetings.models import FloorTurn

    inv = invitation_of(meeting, "tam-hai")
    item = meeting.agenda_items.first()
    turn = FloorTurn.objects.create(
        meeting=meeting,
        bridge_point=inv.bridge_point,
        agenda_item=item,
        started_at=meeting.starts_at + timedelta(minutes=12, seconds=5),
    )
    proposal = record(meeting, "tam-hai", tckh, office, floor_turn=turn)
    assert (proposal.bridge_point, proposal.agenda_item, proposal.meeting_offset_seconds) == (
        inv.bridge_point,
        item,
        725,
    )
    assert proposal.meeting_time_display == "12:05"


def test_who_sees_what(client, meeting, mountain_meeting, officer, other_officer, office, leader, tckh, make_user):
    own = record(meeting, "tam-hai", tckh, office)
    other = record(meeting, "tam-giang", tckh, office, text="Đề nghị của Tam Giang")
    client.force_login(officer)
    listing = client.get(reverse("meetings:proposal_list")).content.decode()
    assert "Đề nghị hỗ trợ sửa kè biển" in listing and "Đề nghị của Tam Giang" not in listing
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    client.force_login(other_officer)
    assert client.get(own.get_absolute_url()).status_code == 404
    client.force_login(leader)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 200
    client.force_login(make_user(Role.TECHNICIAN))
    assert client.get(reverse("meetings:proposal_list")).status_code == 403
    client.logout()
    assert client.get(reverse("meetings:proposal_list")).status_code == 302


def test_assigned_office_answers_and_commune_is_told(client, meeting, officer, office, tckh, member, leader):
    proposal = record(meeting, "tam-hai", tckh, office)
    # the commune and a leader do not answer (403); office staff outside the office are refused
    client.force_login(officer)
    assert client.post(reverse("meetings:proposal_answer", args=[proposal.pk]), {"answer": "x"}).status_code == 403
    client.force_login(leader)
    assert client.post(reverse("meetings:proposal_answer", args=[proposal.pk]), {"answer": "x"}).status_code == 403
    with pytest.raises(PermissionDeniedError):
        proposal_services.proposal_answer(proposal=proposal, user=office, answer="x")
    client.force_login(office)
    assert "Send the answer" not in client.get(proposal.get_absolute_url()).content.decode()
    client.force_login(member)
    assert "Send the answer" in client.get(proposal.get_absolute_url()).content.decode()
    client.post(reverse("meetings:proposal_answer", args=[proposal.pk]), {"answer": "Huyện bố trí 500 triệu đồng."})
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.ANSWERED and proposal.answered_by == member
    assert Notification.objects.get(recipient=member, kind=NotificationKind.PROPOSAL_TO_ANSWER).read_at is not None
    answered = Notification.objects.get(recipient=officer)
    assert answered.kind == NotificationKind.PROPOSAL_ANSWERED and "500 triệu" in answered.body
    client.force_login(officer)
    assert "Huyện bố trí 500 triệu đồng." in client.get(proposal.get_absolute_url()).content.decode()
    with pytest.raises(ConflictError):
        proposal_services.proposal_answer(proposal=proposal, user=member, answer="again")


def test_the_office_is_reminded_once_when_the_answer_falls_due_and_once_when_it_is_late(meeting, office, tckh, member):
    today = timezone.localtime(meeting.starts_at).date()  # the days after the briefing
    soon = record(meeting, "tam-hai", tckh, office, due_on=today + timedelta(days=1), text="Đề nghị sửa đường ĐH5")
    record(meeting, "tam-hai", tckh, office, due_on=today + timedelta(days=20))  # not yet
    reminders = Notification.objects.filter(recipient=member, kind=NotificationKind.PROPOSAL_TO_ANSWER)
    assert reminders.count() == 2  # the two notices of assignment

    assert proposals_announce_due(today=today) == 1
    assert proposals_announce_due(today=today) == 0  # the same day again: nothing new
    notice = reminders.latest("pk")
    assert "Đề nghị sửa đường ĐH5" in notice.title and "Tam Hải" in notice.title
    assert notice.url == soon.get_absolute_url()
    assert not Notification.objects.filter(recipient=office, kind=NotificationKind.PROPOSAL_TO_ANSWER).exists()

    assert proposals_announce_due(today=today + timedelta(days=1)) == 0  # due today: already told
    assert proposals_announce_due(today=today + timedelta(days=2)) == 1  # now late: once more
    assert "Overdue" in reminders.latest("pk").title
    assert proposals_announce_due(today=today + timedelta(days=3)) == 0
    assert reminders.count() == 4

    proposal_services.proposal_answer(proposal=soon, user=member, answer="Đã bố trí vốn.")
    assert not reminders.filter(url=soon.get_absolute_url(), read_at__isnull=True).exists()  # off the to-do list
    Proposal.objects.filter(pk=soon.pk).update(due_notified_on=None)
    assert proposals_announce_due(today=today + timedelta(days=4)) == 0  # answered proposals are never announced


def test_next_briefing_lists_open_proposals_of_invited_communes(client, office, host, tckh, member):
    past = make_meeting(office, host, starts_in=timedelta(days=-7), title="Giao ban tuần trước")
    late = record(past, "tam-hai", tckh, office, text="Kiến nghị còn chậm", due_on=timezone.localdate() - timedelta(1))
    answered = record(past, "tam-giang", tckh, office, text="Kiến nghị đã trả lời")
    proposal_services.proposal_answer(proposal=answered, user=member, answer="Đã xử lý")
    upcoming = make_meeting(office, host, starts_in=timedelta(days=3), title="Giao ban tuần tới")
    client.force_login(office)
    page = client.get(upcoming.get_absolute_url()).content.decode()
    follow_up = page.split('id="open-proposals"')[1]
    assert "Kiến nghị còn chậm" in follow_up and "Kiến nghị đã trả lời" not in follow_up
    assert late.is_overdue
    # the past meeting itself lists its own proposals, not as follow-up
    page = client.get(past.get_absolute_url()).content.decode()
    assert "Kiến nghị còn chậm" not in page.split('id="open-proposals"')[1]


def test_leaders_panel_counts_open_and_late_per_office(client, meeting, office, leader, tckh):
    record(meeting, "tam-hai", tckh, office)
    past = make_meeting(office, meeting.host_bridge_point, starts_in=timedelta(days=-10), title="Cũ")
    record(past, "tam-hai", tckh, office, due_on=timezone.localdate() - timedelta(days=2))
    client.force_login(leader)
    page = client.get(reverse("home")).content.decode()
    assert 'data-panel="meetings.open_proposals"' in page
    panel = page.split('data-panel="meetings.open_proposals"')[1]
    assert "Phòng TC-KH" in panel and '<span class="badge text-bg-danger">1</span>' in panel


def test_api_scoping_create_and_answer(api, meeting, officer, other_officer, office, tckh, member):
    tam_hai = AdministrativeUnit.objects.get(code="tam-hai")
    tam_giang = AdministrativeUnit.objects.get(code="tam-giang")
    url = "/api/proposals/"
    body = {
        "meeting": meeting.pk,
        "text": "Đề nghị",
        "office": tckh.pk,
        "due_on": str(timezone.localdate() + timedelta(days=10)),
    }
    response = api(officer).post(url, {**body, "unit": tam_hai.pk}, format="json")
    assert response.status_code == 201, response.content
    assert api(officer).post(url, {**body, "unit": tam_giang.pk}, format="json").status_code in (400, 403)
    other = record(meeting, "tam-giang", tckh, office)
    ids = [row["id"] for row in api(officer).get(url).json()["results"]]
    assert ids == [response.json()["id"]]
    assert api(officer).get(f"/api/proposals/{other.pk}/").status_code == 404
    answer_url = f"/api/proposals/{other.pk}/answer/"
    assert api(other_officer).post(answer_url, {"answer": "x"}, format="json").status_code == 403
    assert api(office).post(answer_url, {"answer": "x"}, format="json").status_code == 403
    done = api(member).post(answer_url, {"answer": "Đã xử lý"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "answered"
    assert api(member).post(answer_url, {"answer": "again"}, format="json").status_code == 409


def test_list_query_count_is_constant(client, meeting, office, tckh, django_assert_max_num_queries):
    record(meeting, "tam-hai", tckh, office)
    client.force_login(office)
    url = reverse("meetings:proposal_list")
    client.get(url)
    with django_assert_max_num_queries(40) as before:
        assert client.get(url).status_code == 200
    for code in ("tam-giang", "tam-quang", "tam-anh-nam", "tam-nghia"):
        record(meeting, code, tckh, office)
    with django_assert_max_num_queries(len(before)):
        client.get(url)
    with django_assert_max_num_queries(40) as page_before:  # a sanity cap; the point is that it does not grow
        client.get(meeting.get_absolute_url())
    for code in ("tam-tien", "tam-hoa"):
        record(meeting, code, tckh, office)
    with django_assert_max_num_queries(len(page_before)):
        client.get(meeting.get_absolute_url())


def test_administrator_manages_district_offices(client, tckh, admin_user, officer):
    client.force_login(admin_user)
    listing = client.get(reverse("meetings:districtoffice_list"))
    assert listing.status_code == 200 and tckh.get_absolute_url() in listing.content.decode()
    assert client.get(tckh.get_absolute_url()).status_code == 200
    assert client.get(reverse("meetings:districtoffice_edit", args=[tckh.pk])).status_code == 200
    client.force_login(officer)
    assert client.get(reverse("meetings:districtoffice_edit", args=[tckh.pk])).status_code == 403
