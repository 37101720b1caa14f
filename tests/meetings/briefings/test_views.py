"""
Web pages of briefings: the permission triad on every page (anonymous → login, wrong role → 403,
another commune's object → 404), and the forms that change state through the services.
"""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from meetings.models import AgendaItem, Meeting, MeetingDocument, Minutes, MinutesTask, RollCall, TextBlock
from meetings.services import briefings as services

from .conftest import invitation_of, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(meeting, mountain_meeting, office, leader):
    """(url for the object Tam Hải sees, url for one it must not see) for every page."""
    own_inv, other_inv = invitation_of(meeting, "tam-hai"), invitation_of(meeting, "tam-giang")
    minutes = {}
    tasks = {}
    for name, m in (("own", meeting), ("other", mountain_meeting)):
        draft = services.minutes_draft_create(meeting=m, user=office)
        services.minutes_submit(minutes=draft, user=office)
        minutes[name] = services.minutes_approve(minutes=draft, user=leader)
        unit = (
            m.invitations.first().bridge_point.room.site.unit
            if name == "other"
            else own_inv.bridge_point.room.site.unit
        )
        tasks[name] = services.task_create(
            meeting=m, unit=unit, title="Việc", due_on=timezone.localdate() + timedelta(days=10), user=office
        )
    return {
        "meeting_detail": (
            reverse("meetings:meeting_detail", args=[meeting.pk]),
            reverse("meetings:meeting_detail", args=[mountain_meeting.pk]),
        ),
        "attendance": (
            reverse("meetings:briefing_attendance", args=[meeting.pk]),
            reverse("meetings:briefing_attendance", args=[mountain_meeting.pk]),
        ),
        "attendance_xlsx": (
            reverse("meetings:briefing_attendance_xlsx", args=[meeting.pk]),
            reverse("meetings:briefing_attendance_xlsx", args=[mountain_meeting.pk]),
        ),
        "delegation": (
            reverse("meetings:delegation_edit", args=[own_inv.pk]),
            reverse("meetings:delegation_edit", args=[other_inv.pk]),
        ),
        "minutes": (minutes["own"].get_absolute_url(), minutes["other"].get_absolute_url()),
        "minutes_pdf": (
            reverse("meetings:minutes_pdf", args=[minutes["own"].pk]),
            reverse("meetings:minutes_pdf", args=[minutes["other"].pk]),
        ),
        "task": (tasks["own"].get_absolute_url(), tasks["other"].get_absolute_url()),
    }


LISTS = ["meetings:meeting_list", "meetings:minutestask_list", "meetings:briefing_dashboard"]


@pytest.mark.parametrize("url_name", LISTS)
def test_list_pages_triad(client, make_user, officer, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(make_user(Role.FINANCE))
    assert client.get(url).status_code == 403
    client.force_login(officer)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "page", ["meeting_detail", "attendance", "attendance_xlsx", "delegation", "minutes", "minutes_pdf", "task"]
)
def test_object_pages_triad(client, make_user, officer, pages, page):
    own, other = pages[page]
    response = client.get(own)
    assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(make_user(Role.FINANCE))
    assert client.get(own).status_code == 403
    client.force_login(officer)
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


def test_office_pages_refuse_other_roles(client, make_user, meeting, officer):
    office_only = [
        reverse("meetings:meeting_add"),
        reverse("meetings:meeting_edit", args=[meeting.pk]),
        reverse("meetings:briefing_roll_call", args=[meeting.pk]),
        reverse("meetings:textblock_list"),
        reverse("meetings:textblock_add"),
    ]
    for url in office_only:
        assert client.get(url).status_code == 302
    client.force_login(officer)
    for url in office_only:
        assert client.get(url).status_code == 403, url
    client.force_login(make_user(Role.OFFICE_STAFF))
    for url in office_only:
        assert client.get(url).status_code == 200, url


def test_meeting_list_shows_communes_only_their_invitations(client, officer, meeting, mountain_meeting):
    client.force_login(officer)
    content = client.get(reverse("meetings:meeting_list")).content.decode()
    assert meeting.title in content and mountain_meeting.title not in content


def test_create_a_meeting_inviting_all_communes(client, office, host):
    client.force_login(office)
    starts = timezone.localtime() + timedelta(days=5)
    response = client.post(
        reverse("meetings:meeting_add"),
        {
            "title": "Giao ban toàn huyện",
            "chair": "Chủ tịch UBND huyện",
            "host_bridge_point": host.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "invite_group": "all",
        },
    )
    meeting = Meeting.objects.get(title="Giao ban toàn huyện")
    assert response.status_code == 302 and response.url == meeting.get_absolute_url()
    assert meeting.invitations.count() == 17 and meeting.booking is not None
    response = client.post(
        reverse("meetings:meeting_add"),
        {
            "title": "x",
            "chair": "y",
            "host_bridge_point": host.pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": starts.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200 and "ends_at" in response.context["form"].errors
    assert Meeting.objects.count() == 1


def test_agenda_and_document_forms(client, office, meeting, settings):
    client.force_login(office)
    url = reverse("meetings:agendaitem_add", args=[meeting.pk])
    client.post(url, {"title": "Ý kiến các xã", "duration_minutes": 20, "presenter": ""})
    assert meeting.agenda_items.filter(title="Ý kiến các xã").exists()
    upload = reverse("meetings:meetingdocument_add", args=[meeting.pk])
    response = client.post(
        upload, {"title": "Giả", "file": SimpleUploadedFile("x.pdf", b"GIF89a not a pdf")}, follow=True
    )
    assert "not accepted" in response.content.decode() and not MeetingDocument.objects.exists()
    client.post(upload, {"title": "Tờ trình", "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF")})
    document = MeetingDocument.objects.get()
    response = client.get(reverse("meetings:meetingdocument_download", args=[meeting.pk, document.pk]))
    assert response.status_code == 200


def test_agenda_choices_are_in_the_agendas_order_and_read_with_the_page(client, office, meeting):
    """
    The meeting page's "parent item" and "agenda item" selects list the agenda as it reads, each item
    followed by its sub-items, from the agenda the page has loaded (no query of their own).
    """
    meeting.agenda_items.all().delete()
    first = AgendaItem.objects.create(meeting=meeting, title="Khai mạc", position=1)
    second = AgendaItem.objects.create(meeting=meeting, title="Báo cáo các xã", position=2)
    sub = AgendaItem.objects.create(meeting=meeting, title="Xã Tam Hải", position=1, parent=second)
    early_sub = AgendaItem.objects.create(meeting=meeting, title="Phát biểu", position=3, parent=first)
    client.force_login(office)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(meeting.get_absolute_url()).content.decode()
    assert sum('FROM "meetings_agendaitem" WHERE' in q["sql"] for q in queries.captured_queries) == 1

    def options(name):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
        return [int(v) for v in re.findall(r'<option value="(\d+)"', select)]

    assert options("parent") == [first.pk, second.pk]
    assert options("agenda_item") == [first.pk, early_sub.pk, second.pk, sub.pk]


def test_officer_enters_and_confirms_the_delegation(client, officer, meeting):
    invitation = invitation_of(meeting, "tam-hai")
    client.force_login(officer)
    url = reverse("meetings:delegation_edit", args=[invitation.pk])
    response = client.post(
        url, {"expected_headcount": 7, "members": "Võ Thị Lan, Chủ tịch UBND xã\nLê Văn B", "confirm": "1"}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.confirmed_by == officer
    assert [(m.name, m.position) for m in invitation.members.all()] == [
        ("Võ Thị Lan", "Chủ tịch UBND xã"),
        ("Lê Văn B", ""),
    ]
    detail = client.get(meeting.get_absolute_url()).content.decode()
    assert "Võ Thị Lan" in detail and "UBND Tam Giang" not in detail


def test_delegation_form_after_start_shows_the_error_and_changes_nothing(client, officer, office, host):
    meeting = make_meeting(office, host, starts_in=timedelta(minutes=-2))
    invitation = invitation_of(meeting, "tam-hai")
    client.force_login(officer)
    response = client.post(
        reverse("meetings:delegation_edit", args=[invitation.pk]), {"expected_headcount": 4, "members": "A"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    invitation.refresh_from_db()
    assert invitation.expected_headcount == 0 and not invitation.members.exists()


def test_roll_call_page_saves_changed_lines(client, make_user, meeting):
    client.force_login(make_user(Role.HOST))
    tam_hai = invitation_of(meeting, "tam-hai").bridge_point
    tam_son = invitation_of(meeting, "tam-son").bridge_point
    url = reverse("meetings:briefing_roll_call", args=[meeting.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"bp{tam_hai.pk}-status": "present",
            f"bp{tam_hai.pk}-headcount": 6,
            f"bp{tam_son.pk}-status": "absent",
            f"bp{tam_son.pk}-note": "Mất điện",
        },
    )
    assert response.status_code == 302
    assert dict(RollCall.objects.values_list("bridge_point__room__site__unit__code", "status")) == {
        "tam-hai": "present",
        "tam-son": "absent",
    }
    # One bad line: nothing is saved.
    response = client.post(
        url,
        {
            f"bp{tam_hai.pk}-status": "late",
            f"bp{tam_hai.pk}-headcount": 0,
            f"bp{tam_son.pk}-status": "present",
            f"bp{tam_son.pk}-headcount": 3,
        },
    )
    assert response.status_code == 200
    assert dict(RollCall.objects.values_list("bridge_point__room__site__unit__code", "status")) == {
        "tam-hai": "present",
        "tam-son": "absent",
    }


def test_minutes_pages_draft_edit_submit_approve_amend(client, office, leader, meeting):
    TextBlock.objects.create(title="Kết thúc", body="Cuộc họp kết thúc.")
    client.force_login(office)
    response = client.post(reverse("meetings:minutes_add", args=[meeting.pk]))
    minutes = Minutes.objects.get()
    assert response.url == reverse("meetings:minutes_edit", args=[minutes.pk])
    edit = client.get(response.url)
    assert "Kết thúc" in edit.content.decode()
    data = {**{f: getattr(minutes, f) for f in services.MINUTES_EDITABLE_FIELDS}, "number": "9/BB-UBND"}
    assert client.post(response.url, data).status_code == 302
    client.post(reverse("meetings:minutes_action", args=[minutes.pk, "submit"]))
    # Office staff cannot approve: 403, nothing changes.
    assert client.post(reverse("meetings:minutes_action", args=[minutes.pk, "approve"])).status_code == 403
    client.force_login(leader)
    page = client.get(minutes.get_absolute_url()).content.decode()
    assert "9/BB-UBND" in page
    client.post(reverse("meetings:minutes_action", args=[minutes.pk, "approve"]))
    minutes.refresh_from_db()
    assert minutes.status == "approved"
    client.force_login(office)
    response = client.post(reverse("meetings:minutes_edit", args=[minutes.pk]), {**data, "body": "sửa"})
    assert response.status_code == 302 and response.url == minutes.get_absolute_url()  # refused: amend instead
    assert Minutes.objects.get(pk=minutes.pk).body != "sửa"
    response = client.post(reverse("meetings:minutes_action", args=[minutes.pk, "amend"]), {"reason": "Sai tên"})
    amendment = Minutes.objects.get(version=2)
    assert response.url == amendment.get_absolute_url()
    assert client.get(minutes.get_absolute_url()).status_code == 200  # the old version stays readable
    assert client.post(reverse("meetings:minutes_action", args=[minutes.pk, "nonsense"])).status_code == 404


def test_task_complete_form(client, officer, office, meeting):
    task = services.task_create(
        meeting=meeting,
        unit=officer.unit,
        title="Báo cáo",
        due_on=timezone.localdate() + timedelta(days=10),
        user=office,
    )
    client.force_login(officer)
    client.post(reverse("meetings:minutestask_complete", args=[task.pk]), {"note": "Xong"})
    assert MinutesTask.objects.get(pk=task.pk).status == "done"


def test_leaders_dashboard(client, leader, office, host, meeting):
    past = make_meeting(office, host, starts_in=timedelta(days=-3), title="Đã họp")
    services.roll_call_record(
        meeting=past,
        bridge_point=invitation_of(past, "tam-hai").bridge_point,
        user=office,
        status="present",
        headcount=2,
    )
    draft = services.minutes_draft_create(meeting=past, user=office)
    services.minutes_submit(minutes=draft, user=office)
    client.force_login(leader)
    response = client.get(reverse("meetings:briefing_dashboard"), {"last": 5})
    assert response.status_code == 200
    assert list(response.context["awaiting"]) == [draft]
    rates = {r.unit.code: r.rate for r in response.context["rates"]}
    assert rates["tam-hai"] == 100.0 and rates["tam-son"] == 0.0
    assert "chart.umd.min.js" in response.content.decode()


def test_task_filter_offers_a_commune_only_its_own_units(client, officer):
    client.force_login(officer)
    form = client.get(reverse("meetings:minutestask_list")).context["filter"].form
    assert [unit.code for unit in form.fields["unit"].queryset] == ["tam-hai"]


@pytest.mark.parametrize("role", [Role.OFFICE_STAFF, Role.ADMINISTRATOR])
def test_task_page_opens_for_the_people_who_assign_tasks(client, make_user, officer, office, meeting, role):
    """They may change and delete tasks, but tasks have no edit or delete page: no such buttons (was a 500)."""
    task = services.task_create(
        meeting=meeting,
        unit=officer.unit,
        title="Báo cáo",
        due_on=timezone.localdate() + timedelta(days=10),
        user=office,
    )
    user = make_user(role)
    assert user.has_perm("meetings.change_minutestask")
    client.force_login(user)
    response = client.get(task.get_absolute_url())
    assert response.status_code == 200
    assert response.context["edit_url"] is None and response.context["delete_url"] is None
    assert "Báo cáo" in response.content.decode()
    assert f"/tasks/{task.pk}/edit/" not in response.content.decode()


def test_new_briefing_form_offers_the_host_bridge_points_first_and_preselects_one(client, office, host):
    """The host select used to list the 17 communes first with nothing chosen: saving failed as 'required'."""
    client.force_login(office)
    form = client.get(reverse("meetings:meeting_add")).context["form"]
    choices = list(form.fields["host_bridge_point"].queryset)
    assert {bp.role for bp in choices[:2]} == {"host"} and choices[2].role == "participant"
    assert form["host_bridge_point"].value() == host.pk
