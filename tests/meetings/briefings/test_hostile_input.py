"""
Hostile delegation text (issue 15): a formula saved as a member's name is written to the attendance
XLSX as text, never as a live formula; a control character is dropped on input (forms and API), and
one already stored does not break the sheet; the officer cannot move its invitation to another
bridge point.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meetings.models import DelegationMember
from meetings.services import briefings as services

from .conftest import invitation_of

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/x")'


def _member_cells(meeting, office) -> list:
    response_book = load_workbook(io.BytesIO(services.attendance_xlsx(meeting=meeting, user=office)))
    sheet = response_book.active
    return [cell for row in sheet.iter_rows(min_row=5) for cell in row if cell.column == 5 and cell.value]


def test_a_formula_member_name_is_text_in_the_attendance_xlsx(api, client, meeting, office, officer):
    invitation = invitation_of(meeting, "tam-hai")
    response = api(officer).patch(
        f"/api/invitations/{invitation.pk}/",
        {"expected_headcount": 3, "members": [{"name": FORMULA, "position": ""}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.force_login(office)
    response = client.get(reverse("meetings:briefing_attendance_xlsx", args=[meeting.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.active.iter_rows(min_row=5) for c in row if c.column == 5 and c.value]
    assert [c.value for c in cells] == ["'" + FORMULA]
    assert all(c.data_type == "s" for c in cells)


def test_control_characters_are_dropped_on_input_by_api_and_form(api, client, meeting, officer):
    invitation = invitation_of(meeting, "tam-hai")
    response = api(officer).patch(
        f"/api/invitations/{invitation.pk}/",
        {"expected_headcount": 3, "members": [{"name": "Võ\x01 Thị\x1b Lan\x7f", "position": "Chủ\x0b tịch"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert list(invitation.members.values_list("name", "position")) == [("Võ Thị Lan", "Chủ tịch")]
    from meetings.forms.briefings import DelegationForm

    form = DelegationForm(data={"expected_headcount": "3", "members": "Lê\x01 Văn Tư, Phó\x02 chủ tịch"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["members"] == [services.MemberData("Lê Văn Tư", "Phó chủ tịch")]


def test_a_control_character_stored_earlier_does_not_break_the_attendance_xlsx(meeting, office):
    invitation = invitation_of(meeting, "tam-hai")
    DelegationMember.objects.create(invitation=invitation, name="\x01Lan\x1f", position="=1+1")
    cells = _member_cells(meeting, office)
    assert [c.value for c in cells] == ["Lan (=1+1)"]


def test_an_officer_cannot_move_its_invitation_to_another_bridge_point(api, meeting, officer):
    invitation = invitation_of(meeting, "tam-hai")
    other = invitation_of(meeting, "tam-giang")
    response = api(officer).patch(
        f"/api/invitations/{invitation.pk}/", {"bridge_point": other.bridge_point_id}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "bridge_point" in response.json()["extra"]["fields"]
    invitation.refresh_from_db()
    assert invitation.bridge_point_id != other.bridge_point_id
    # Sending the value it already has (a client echoing the object back) is fine.
    response = api(officer).patch(
        f"/api/invitations/{invitation.pk}/",
        {"bridge_point": invitation.bridge_point_id, "expected_headcount": 4},
        format="json",
    )
    assert response.status_code == 200, response.content
