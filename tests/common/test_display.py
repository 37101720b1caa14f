"""
What people see of stored values (issue 14): detail pages and change histories show local times
(Asia/Ho_Chi_Minh, dd/mm/yyyy HH:MM), verbose field names and display values, never raw ids, choice
keys or UTC.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from common.display import display_value
from common.history import history_display
from sites import choices
from sites.models import BridgePoint
from tests.factories.sites import BridgePointFactory, RoomFactory

pytestmark = pytest.mark.django_db

UTC_1520 = dt.datetime(2025, 3, 10, 15, 20, tzinfo=dt.UTC)  # 22:20 in Hồ Chí Minh City
UTC_2345 = dt.datetime(2025, 3, 10, 23, 45, tzinfo=dt.UTC)  # 06:45 the next morning there


def test_display_value_is_local_and_vietnamese():
    with translation.override("vi"):
        assert display_value(UTC_1520) == "10/03/2025 22:20"
        assert display_value(UTC_2345) == "11/03/2025 06:45"
        assert display_value(dt.date(2025, 3, 1)) == "01/03/2025"
        assert display_value(True) == "Có" and display_value(False) == "Không"
        assert display_value(None) == display_value("") == display_value([]) == "—"
        field = BridgePoint._meta.get_field("last_test_result")
        assert display_value("ok", field) == "Đạt"


def test_history_shows_verbose_names_labels_and_local_times():
    bridge_point = BridgePointFactory()
    old_room = bridge_point.room
    new_room = RoomFactory(name="Hội trường A")
    bridge_point.room = new_room
    bridge_point.last_test_result = choices.TestCallResult.OK
    bridge_point.last_test_at = UTC_1520
    bridge_point.is_active = False
    bridge_point.save()

    with translation.override("vi"):
        rows = history_display(bridge_point)
        changes = {c.name: c for c in rows[0]["changes"]}

    assert [r["history_type"] for r in rows] == ["changed", "created"]
    assert set(changes) == {"room", "last_test_result", "last_test_at", "is_active"}
    room, result, at, active = (changes[n] for n in ("room", "last_test_result", "last_test_at", "is_active"))
    assert (room.label, room.old, room.new) == ("phòng họp", str(old_room), f"Hội trường A – {new_room.site.name}")
    assert (result.label, result.old, result.new) == ("kết quả kết nối thử gần nhất", "Chưa kiểm tra", "Đạt")
    assert (at.label, at.old, at.new) == ("lần kết nối thử gần nhất", "—", "10/03/2025 22:20")
    assert (active.old, active.new) == ("Có", "Không")


@override_settings(LANGUAGE_CODE="vi")
def test_detail_page_and_its_history_show_local_times_and_display_values(client, admin_user):
    bridge_point = BridgePointFactory(last_test_at=UTC_2345, last_test_result=choices.TestCallResult.FAILED)
    bridge_point.last_test_at = UTC_1520
    bridge_point.last_test_result = choices.TestCallResult.OK
    bridge_point.save()
    client.force_login(admin_user)

    page = client.get(bridge_point.get_absolute_url()).content.decode()

    fields = page.split('class="row object-fields', 1)[1].split("</dl>", 1)[0]
    assert "10/03/2025 22:20" in fields and "15:20" not in fields
    history = page.split('class="table table-sm mb-0 history-changes"', 1)[1]
    assert "11/03/2025 06:45 → 10/03/2025 22:20" in history
    assert "23:45" not in history and "15:20" not in history
    assert "Không đạt → Đạt" in history
    assert "failed" not in history and "last_test_at" not in history


def test_history_queries_do_not_grow_with_the_rows():
    def changed_rooms(count: int) -> BridgePoint:
        bridge_point = BridgePointFactory()
        for _ in range(count):
            bridge_point.room = RoomFactory()
            bridge_point.save()
        return bridge_point

    few, many = changed_rooms(2), changed_rooms(8)
    with CaptureQueriesContext(connection) as few_queries:
        assert len(history_display(few)) == 3
    with CaptureQueriesContext(connection) as many_queries:
        rows = history_display(many)
    assert len(rows) == 9 and all(c.new != "—" for r in rows[:-1] for c in r["changes"])
    assert len(many_queries) == len(few_queries) <= 3


def test_history_of_a_many_to_many_field_names_the_people():
    from meetings.models import RoomBookingPolicy

    policy = RoomBookingPolicy.objects.create(room=RoomFactory(), max_duration_minutes=60)
    from accounts.models import User

    approver = User.objects.create_user(username="duyet", first_name="Lan", last_name="Nguyễn")
    policy.approvers.add(approver)

    change = history_display(policy)[0]["changes"]
    assert [(c.name, c.old, c.new) for c in change] == [("approvers", "—", str(approver))]


def test_deleted_related_object_is_named_by_its_id():
    bridge_point = BridgePointFactory()
    gone = RoomFactory()
    bridge_point.room = gone
    bridge_point.save()
    bridge_point.room = RoomFactory()
    bridge_point.save()
    gone_pk = gone.pk
    gone.delete()

    with translation.override("en"):
        change = history_display(bridge_point)[0]["changes"][0]
    assert change.old == f"#{gone_pk} (deleted)"


def test_names_that_carry_a_time_use_local_time():
    """An outage or an attendance interval is named in history and pickers by its local time."""
    from cameras.models import Camera, CameraOutage
    from meetings.models import AttendanceInterval

    outage = CameraOutage(camera=Camera(code="cam-1", name="Cổng"), started_at=UTC_1520)
    assert str(outage) == "Cổng (cam-1) 10/03/2025 22:20"
    interval = AttendanceInterval(bridge_point=BridgePoint(janus_display="Xã A"), joined_at=UTC_1520, left_at=UTC_2345)
    assert str(interval) == "Xã A 22:20–06:45"


def test_api_history_keeps_raw_values_but_writes_times_in_local_iso():
    from common.api import _plain

    assert _plain(UTC_1520) == "2025-03-10T22:20:00+07:00"
    assert _plain([{"user": 8}]) == [{"user": 8}]
    assert _plain("draft") == "draft" and _plain(8) == 8


def test_roll_call_badges_tell_present_from_absent():
    """Present and absent were both drawn as the same blue 'info' badge on the attendance sheet."""
    from common.templatetags.portal import badge

    assert "text-bg-success" in badge("present", "Có mặt")
    assert "text-bg-warning" in badge("late", "Đến muộn")
    assert "text-bg-danger" in badge("absent", "Vắng mặt")
