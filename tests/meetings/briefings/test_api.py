"""
The briefings API: the permission triad on every endpoint (anonymous 401, wrong role 403, another
commune's object 404), every state change as an action, and bad input that changes nothing.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.roles import Role
from meetings.models import Meeting, MeetingInvitation, Minutes, MinutesTask, RollCall, TextBlock
from meetings.services import briefings as services

from .conftest import invitation_of, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(meeting, mountain_meeting, office, leader, officer):
    """Tam Hải is invited to `meeting`, not to `mountain_meeting`; both have approved minutes and tasks."""
    objects = {}
    for name, m in (("own", meeting), ("other", mountain_meeting)):
        bp = m.invitations.filter(bridge_point__room__site__unit__code__in=["tam-hai", "tam-son"]).first().bridge_point
        minutes = services.minutes_draft_create(meeting=m, user=office)
        services.minutes_submit(minutes=minutes, user=office)
        services.minutes_approve(minutes=minutes, user=leader)
        objects[name] = {
            "meetings": m,
            "agenda-items": m.agenda_items.first(),
            "invitations": m.invitations.get(bridge_point=bp),
            "roll-calls": services.roll_call_record(
                meeting=m, bridge_point=bp, user=office, status="present", headcount=4
            ),
            "minutes": minutes,
            "tasks": services.task_create(
                meeting=m,
                unit=bp.room.site.unit,
                title="Báo cáo",
                due_on=timezone.localdate() + timedelta(days=7),
                user=office,
            ),
        }
    # A second invitation in the meeting Tam Hải attends, belonging to another commune.
    objects["neighbour"] = invitation_of(meeting, "tam-giang")
    return objects


@pytest.mark.parametrize("basename", ["meetings", "agenda-items", "invitations", "roll-calls", "minutes", "tasks"])
def test_api_triad(api, make_user, world, officer, basename):
    own, other = world["own"][basename], world["other"][basename]
    url = f"/api/{basename}/"
    assert api().get(url).status_code == 401
    assert api().get(f"{url}{own.pk}/").status_code == 401
    assert api(make_user(None)).get(url).status_code == 403
    client = api(officer)
    response = client.get(url, {"page_size": 1000})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert own.pk in ids and other.pk not in ids
    assert client.get(f"{url}{own.pk}/").status_code == 200
    assert client.get(f"{url}{other.pk}/").status_code == 404
    assert client.get(f"{url}{own.pk}/history/").status_code == 200


def test_officer_sees_only_own_delegation_in_an_invited_meeting(api, world, officer):
    neighbour = world["neighbour"]
    client = api(officer)
    assert client.get(f"/api/invitations/{neighbour.pk}/").status_code == 404
    response = client.patch(f"/api/invitations/{neighbour.pk}/", {"expected_headcount": 3}, format="json")
    assert response.status_code == 404
    neighbour.refresh_from_db()
    assert neighbour.expected_headcount == 0
    rows = client.get(f"/api/meetings/{world['own']['meetings'].pk}/attendance/").json()["sites"]
    assert [r["bridge_point_name"] for r in rows] == ["UBND Tam Hải"]


def test_wrong_roles_get_403_and_nothing_changes(api, make_user, world, officer, office):
    meeting = world["own"]["meetings"]
    technician = make_user(Role.TECHNICIAN)
    assert api(technician).get("/api/meetings/").status_code == 200
    payload = {
        "title": "x",
        "chair": "y",
        "host_bridge_point": meeting.host_bridge_point_id,
        "starts_at": "2030-01-01T08:00:00+07:00",
        "ends_at": "2030-01-01T09:00:00+07:00",
    }
    assert api(technician).post("/api/meetings/", payload, format="json").status_code == 403
    assert (
        api(officer).post(f"/api/meetings/{meeting.pk}/invite/", {"invite_group": "all"}, format="json").status_code
        == 403
    )
    rc = {"meeting": meeting.pk, "bridge_point": world["own"]["invitations"].bridge_point_id, "status": "absent"}
    assert api(officer).post("/api/roll-calls/", rc, format="json").status_code == 403
    assert api(technician).get("/api/minutes/").status_code == 403
    assert api(officer).get("/api/text-blocks/").status_code == 403
    # Office staff draft minutes but do not approve them; leaders approve but do not edit.
    draft = services.minutes_amend(minutes=world["own"]["minutes"], user=office, reason="Sửa")
    services.minutes_submit(minutes=draft, user=office)
    assert api(office).post(f"/api/minutes/{draft.pk}/approve/").status_code == 403
    assert (
        api(make_user(Role.LEADER)).patch(f"/api/minutes/{draft.pk}/", {"body": "x"}, format="json").status_code == 403
    )
    assert api(make_user(Role.FINANCE)).post(f"/api/tasks/{world['own']['tasks'].pk}/complete/").status_code == 403
    assert Meeting.objects.count() == 2 and RollCall.objects.filter(status="absent").count() == 0
    draft.refresh_from_db()
    assert draft.status == "in_review" and draft.body != "x"


def test_meeting_create_with_group_invite_agenda_and_planned_end(api, office, host):
    client = api(office)
    starts = timezone.localtime() + timedelta(days=3)
    response = client.post(
        "/api/meetings/",
        {
            "title": "Giao ban các xã miền núi",
            "chair": "Chủ tịch UBND huyện",
            "host_bridge_point": host.pk,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "invite_group": "mountain",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    meeting_id = response.json()["id"]
    assert response.json()["invitation_count"] == 5
    response = client.post(f"/api/meetings/{meeting_id}/invite/", {"invite_group": "island"}, format="json")
    assert response.json() == {"invited": 1, "total": 6}
    first = client.post(
        "/api/agenda-items/", {"meeting": meeting_id, "title": "Mở đầu", "duration_minutes": 5}, format="json"
    )
    assert first.status_code == 201, first.json()
    child = {"meeting": meeting_id, "title": "Con", "duration_minutes": 7, "parent": first.json()["id"]}
    assert client.post("/api/agenda-items/", child, format="json").status_code == 201
    agenda = client.get(f"/api/meetings/{meeting_id}/agenda/").json()
    # The parent's own 5′ is its introduction, before its child: it spans 5 + 7.
    assert [(i["number"], i["minutes"], i["own_minutes"]) for i in agenda["items"]] == [("1", 12, 5), ("1.1", 7, 7)]
    planned_end = datetime.fromisoformat(agenda["planned_end"].replace("Z", "+00:00"))
    assert abs(planned_end - (starts + timedelta(minutes=12))) < timedelta(seconds=1)
    bad = {**child, "title": "", "duration_minutes": 601}
    assert client.post("/api/agenda-items/", bad, format="json").status_code == 400
    response = client.post(
        "/api/meetings/",
        {
            "title": "x",
            "chair": "y",
            "host_bridge_point": host.pk,
            "starts_at": starts.isoformat(),
            "ends_at": starts.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400 and "ends_at" in response.json()["extra"]["fields"]


def test_delegation_flow_and_edit_after_start(api, meeting, officer, office, host):
    client = api(officer)
    invitation = invitation_of(meeting, "tam-hai")
    url = f"/api/invitations/{invitation.pk}/"
    members = [{"name": "Võ Thị Lan", "position": "Chủ tịch UBND xã"}, {"name": "Trần Văn C", "position": "Công an xã"}]
    response = client.patch(url, {"expected_headcount": 9, "members": members}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "pending"
    response = client.post(f"{url}confirm/")
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    assert response.json()["members"] == members
    history = client.get(f"{url}history/").json()
    assert history[0]["history_user"] == officer.username

    started = make_meeting(office, host, starts_in=timedelta(minutes=-1), title="Đang họp")
    late = invitation_of(started, "tam-hai")
    response = client.patch(
        f"/api/invitations/{late.pk}/", {"expected_headcount": 3, "members": members}, format="json"
    )
    assert response.status_code == 400
    assert "started" in response.json()["message"] or response.json()["message"]
    assert client.post(f"/api/invitations/{late.pk}/confirm/").status_code == 400
    late.refresh_from_db()
    assert late.expected_headcount == 0 and not late.members.exists() and late.confirmed_at is None


def test_roll_call_and_attendance_sheet(api, meeting, office, make_user):
    host_user = make_user(Role.HOST)
    bp = invitation_of(meeting, "tam-hai").bridge_point
    payload = {
        "meeting": meeting.pk,
        "bridge_point": bp.pk,
        "status": "late",
        "headcount": 5,
        "names": "A\nB",
        "note": "mưa",
    }
    response = api(host_user).post("/api/roll-calls/", payload, format="json")
    assert response.status_code == 201, response.json()
    response = api(host_user).post("/api/roll-calls/", {**payload, "status": "present"}, format="json")
    assert response.status_code == 201 and RollCall.objects.get().status == "present"
    bad = api(host_user).post("/api/roll-calls/", {**payload, "headcount": 0}, format="json")
    assert bad.status_code == 400 and RollCall.objects.get().headcount == 5
    sheet = api(office).get(f"/api/meetings/{meeting.pk}/attendance/").json()
    assert sheet["counts"]["present"] == 1 and sheet["counts"]["invited"] == 17
    row = next(r for r in sheet["sites"] if r["bridge_point"] == bp.pk)
    assert row["roll_call"]["status"] == "present" and row["intervals"][0]["source"] == "roll_call"
    xlsx = api(office).get(f"/api/meetings/{meeting.pk}/attendance-xlsx/")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_minutes_lifecycle_through_the_api(api, meeting, office, leader):
    client = api(office)
    response = client.post("/api/minutes/", {"meeting": meeting.pk}, format="json")
    assert response.status_code == 201, response.json()
    minutes_id = response.json()["id"]
    assert client.post("/api/minutes/", {"meeting": meeting.pk}, format="json").status_code == 409
    assert client.patch(f"/api/minutes/{minutes_id}/", {"number": "7/BB-UBND"}, format="json").status_code == 200
    assert client.post(f"/api/minutes/{minutes_id}/submit/").json()["status"] == "in_review"
    assert (
        api(leader).post(f"/api/minutes/{minutes_id}/return/", {"reason": "Bổ sung"}, format="json").json()["status"]
        == "draft"
    )
    client.post(f"/api/minutes/{minutes_id}/submit/")
    response = api(leader).post(f"/api/minutes/{minutes_id}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    # Approved: edits refused with a clear message, nothing changes.
    response = client.patch(f"/api/minutes/{minutes_id}/", {"body": "sửa lén"}, format="json")
    assert response.status_code == 409 and response.json()["message"]
    assert Minutes.objects.get(pk=minutes_id).body != "sửa lén"
    assert client.post(f"/api/minutes/{minutes_id}/amend/", {"reason": ""}, format="json").status_code == 400
    response = client.post(f"/api/minutes/{minutes_id}/amend/", {"reason": "Sai số liệu"}, format="json")
    assert response.status_code == 201 and response.json()["version"] == 2
    assert response.json()["previous"] == minutes_id
    versions = client.get("/api/minutes/", {"meeting": meeting.pk}).json()["results"]
    assert sorted(v["version"] for v in versions) == [1, 2]
    pdf = client.get(f"/api/minutes/{minutes_id}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_approving_own_draft_is_refused_when_policy_forbids(api, meeting, make_user, settings):
    settings.BRIEFINGS_MINUTES_SELF_APPROVAL = False
    drafter = make_user(Role.LEADER)
    drafter.groups.add(*make_user(Role.OFFICE_STAFF).groups.all())
    client = api(type(drafter).objects.get(pk=drafter.pk))
    minutes_id = client.post("/api/minutes/", {"meeting": meeting.pk}, format="json").json()["id"]
    client.post(f"/api/minutes/{minutes_id}/submit/")
    response = client.post(f"/api/minutes/{minutes_id}/approve/")
    assert response.status_code == 403 and response.json()["message"]
    assert Minutes.objects.get(pk=minutes_id).status == "in_review"


def test_officers_see_approved_minutes_only(api, meeting, office, officer):
    draft = services.minutes_draft_create(meeting=meeting, user=office)
    assert api(officer).get(f"/api/minutes/{draft.pk}/").status_code == 404


def test_tasks_complete_by_the_commune(api, world, officer, other_officer, office):
    task = world["own"]["tasks"]
    response = api(officer).post(f"/api/tasks/{task.pk}/complete/", {"note": "Đã xong"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert api(officer).post(f"/api/tasks/{task.pk}/complete/").status_code == 409
    assert api(other_officer).post(f"/api/tasks/{world['other']['tasks'].pk}/complete/").status_code == 404
    assert api(office).post(f"/api/tasks/{task.pk}/reopen/", {"reason": "Chưa đạt"}, format="json").status_code == 200
    assert MinutesTask.objects.get(pk=task.pk).status == "open"
    open_tasks = api(office).get(f"/api/meetings/{world['own']['meetings'].pk}/open-tasks/")
    assert open_tasks.status_code == 200 and open_tasks.json() == []


def test_text_blocks_for_office_staff(api, office):
    client = api(office)
    response = client.post("/api/text-blocks/", {"title": "Mở đầu", "body": "Kính thưa…"}, format="json")
    assert response.status_code == 201
    assert TextBlock.objects.get().history.first().history_user == office


def test_meeting_of_another_commune_cannot_be_targeted(api, mountain_meeting, make_user, demo):
    from sites.models import AdministrativeUnit

    staff = make_user(Role.OFFICE_STAFF, unit=AdministrativeUnit.objects.get(code="tam-hai"))
    response = api(staff).post(
        "/api/agenda-items/", {"meeting": mountain_meeting.pk, "title": "x", "duration_minutes": 5}, format="json"
    )
    assert response.status_code == 404
    assert not MeetingInvitation.objects.filter(
        meeting=mountain_meeting, bridge_point__room__site__unit__code="tam-hai"
    ).exists()
