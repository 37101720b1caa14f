"""
Journeys through a briefing's day (issue 14), each as the demo user of its role, through the real pages
in Vietnamese at 1280 and 800 px (tests/journeys/conftest.py): the organiser prepares a briefing, a
commune confirms its delegation and runs its checklist, the host runs the meeting, the leader returns
and then approves the minutes. Screenshots of every step go to /tmp/journeys/ (JOURNEY_SCREENSHOTS).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from meetings.models import Meeting
from tests.live.conftest import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def free_weekday_morning(days_ahead: int = 9) -> datetime:
    """A Wednesday at 08:00 at least `days_ahead` days away: the host room is free then in the demo."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    day += timedelta(days=(2 - day.weekday()) % 7)
    return timezone.make_aware(datetime.combine(day, time(8)))


def test_organiser_prepares_a_briefing(journey):
    office = journey("vanphong", "organiser")
    page = office.page
    office.goto("/meetings/briefings/")
    office.check("briefings")
    page.locator('a[href="/meetings/briefings/add/"]').first.click()
    page.wait_for_url("**/briefings/add/")
    starts = free_weekday_morning()
    page.fill("#id_title", "Giao ban trực tuyến chuyên đề chuyển đổi số")
    page.fill("#id_chair", "Nguyễn Hữu Chủ tịch – Chủ tịch UBND huyện")
    page.fill("#id_starts_at", timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", timezone.localtime(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    # The district hall is preselected as the host bridge point (it used to be "---------", and saving failed).
    assert page.locator("#id_host_bridge_point option:checked").inner_text() == "UBND huyện Núi Thành"
    for name in ("Tam Hải", "Tam Giang", "Tam Quang"):
        page.locator(".form-check", has_text=name).first.locator("input").check()
    office.check("new-briefing-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert "/add/" not in page.url, office.text()
    meeting = Meeting.objects.get(title="Giao ban trực tuyến chuyên đề chuyển đổi số")
    assert timezone.localtime(meeting.starts_at) == timezone.localtime(starts)
    assert meeting.invitations.count() == 3
    office.check("briefing-created")

    # The agenda: a parent item with its own introduction, two items under it, one more after.
    def add_item(title: str, minutes: int, parent: str = "", presenter: str = "") -> None:
        form = page.locator('form[action$="/agenda/add/"]')
        form.locator("#id_title").fill(title)
        form.locator("#id_duration_minutes").fill(str(minutes))
        form.locator("#id_presenter").fill(presenter)
        if parent:
            form.locator("#id_parent").select_option(label=parent)
        form.get_by_role("button").click()
        page.wait_for_load_state("networkidle")

    add_item("Báo cáo tiến độ chuyển đổi số", 10, presenter="Văn phòng HĐND-UBND huyện")
    add_item("Kết quả triển khai dịch vụ công trực tuyến", 15, parent="Báo cáo tiến độ chuyển đổi số")
    add_item("Ý kiến các xã ven biển", 20, parent="Báo cáo tiến độ chuyển đổi số")
    add_item("Kết luận của Chủ tịch UBND huyện", 10, presenter="Chủ tịch UBND huyện")
    items = {item.title: item for item in meeting.agenda_items.all()}
    assert items["Ý kiến các xã ven biển"].parent == items["Báo cáo tiến độ chuyển đổi số"]
    text = office.check("agenda")
    # The parent's own 10′ counts: 10 + 15 + 20 = 45′ from 08:00, then the conclusion 08:45–08:55.
    assert "08:00–08:45 (45′)" in text
    assert "08:45–08:55 (10′)" in text

    assert "Thiết bị" not in text  # the agenda's "Item" column once read "equipment"
    assert "Người tổ chức Lê Thị Hoa" in text

    # More communes: the coastal ones by group (Tam Tiến and Tam Hòa join Tam Giang, Tam Hải, Tam Quang).
    page.locator('form[action$="/invite/"] select').select_option(label="Các xã ven biển (kể cả xã đảo)")
    page.locator('form[action$="/invite/"] button').click()
    page.wait_for_load_state("networkidle")
    assert meeting.invitations.count() == 5
    text = office.check("invited")
    assert "đã xác nhận: 0/5" in text
    assert "UBND Tam Tiến" in text and "UBND Tam Hòa" in text


#
# A commune confirms its delegation and runs its checklist
#


def briefing_soon(title: str, minutes: int = 40) -> Meeting:
    """A briefing of all communes starting in `minutes` (set up by the office: not this journey's part)."""
    from accounts.models import User
    from meetings.selectors.briefings import InviteGroup, bridge_points_for_group
    from meetings.services import briefings as services
    from sites.models import BridgePoint

    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    return services.meeting_create(
        user=User.objects.get(username="vanphong"),
        title=title,
        chair="Nguyễn Hữu Chủ tịch – Chủ tịch UBND huyện",
        host_bridge_point=BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        invited=bridge_points_for_group(group=InviteGroup.ALL),
        book_room=False,
    )


def test_commune_confirms_its_delegation_and_runs_its_checklist(journey):
    meeting = briefing_soon("Giao ban đột xuất về phòng, chống bão số 9")
    invitation = meeting.invitations.get(bridge_point__room__site__unit__code="tam-hai")
    commune = journey("tamhai", "commune")
    page = commune.page
    text = commune.check("home")
    assert "Giao ban đột xuất về phòng, chống bão số 9" in text

    # From the briefing's page (its own invitation only) to the delegation form.
    commune.goto(meeting.get_absolute_url())
    text = commune.check("briefing")
    assert "UBND Tam Hải" in text and "UBND Tam Giang" not in text
    page.locator(f'a[href="/meetings/delegations/{invitation.pk}/"]').click()
    page.wait_for_url(f"**/delegations/{invitation.pk}/")
    page.fill("#id_expected_headcount", "7")
    page.fill(
        "#id_members",
        "Võ Thị Lan, Chủ tịch UBND xã\n"
        "Trần Văn Hùng, Phó Chủ tịch UBND xã\n"
        "Nguyễn Thị Mai, Công chức Văn phòng - Thống kê",
    )
    commune.check("delegation-form")
    with page.expect_navigation():
        page.locator('button[name="confirm"]').click()
    invitation.refresh_from_db()
    assert invitation.confirmed_at is not None and invitation.expected_headcount == 7
    assert [m.name for m in invitation.members.order_by("pk")] == ["Võ Thị Lan", "Trần Văn Hùng", "Nguyễn Thị Mai"]
    text = commune.check("delegation-confirmed")
    assert "Trần Văn Hùng" in text

    # The bridge point's checklist, from the live briefings list to its room page.
    commune.goto("/live/")
    commune.check("live-list")
    room_url = f"/live/meetings/{meeting.pk}/sites/{invitation.bridge_point_id}/"
    page.locator(f'a[href^="{room_url}"]').first.click()
    page.wait_for_url(f"**{room_url}*")
    assert page.locator("summary", has_text="Danh mục kiểm tra sẵn sàng").is_visible()  # open before the start
    for box in ("#c-camera", "#c-mic", "#c-display", "#c-link"):
        with page.expect_response(lambda response: "readiness" in response.url):
            page.check(box)
    check = invitation.__class__.objects.get(pk=invitation.pk).readiness
    assert check.camera_ok and check.microphone_ok and check.display_ok and check.link_ok
    commune.check("checklist")
    page.reload()
    assert page.locator("#c-link").is_checked()


#
# The host runs the meeting
#


@pytest.fixture
def janus_for_the_portal(janus, settings, monkeypatch):
    """The session's real Janus as the portal's only media server; its Celery tasks run in-process."""
    from live.models import MediaServer
    from portal.celery import app
    from tests.janus_server import ADMIN_KEY, ADMIN_SECRET, API_SECRET, EVENTS_PASSWORD, EVENTS_USER

    monkeypatch.setenv("JANUS_API_SECRET", API_SECRET)
    monkeypatch.setenv("JANUS_ADMIN_SECRET", ADMIN_SECRET)
    monkeypatch.setenv("JANUS_VIDEOROOM_ADMIN_KEY", ADMIN_KEY)
    settings.JANUS_EVENTS_USER, settings.JANUS_EVENTS_PASSWORD = EVENTS_USER, EVENTS_PASSWORD
    settings.JANUS_TIMEOUT_SECONDS = 3.0
    MediaServer.objects.update(is_enabled=False)
    server = MediaServer.objects.create(
        name=f"janus-journey-{janus.http_port}",
        server_name=f"janus-test-{janus.http_port}",
        api_url=janus.url,
        admin_url=janus.admin_url,
    )
    from live import services

    # The start's batch keeps its pending set and flag in Redis, which outlive a run's database.
    keys = (services.PROVISION_PENDING_KEY, services.PROVISION_SCHEDULED_KEY)
    services._redis().delete(*keys)
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    yield server
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
    services._redis().delete(*keys)


def test_host_runs_the_meeting(journey, janus_for_the_portal):
    from live.models import VideoRoom
    from meetings.models import RollCall

    meeting = briefing_soon("Giao ban trực tuyến triển khai nhiệm vụ tháng 12", minutes=5)
    host = journey("chutri", "host")
    page = host.page
    host.goto("/live/")
    host.check("live-list")
    page.locator(f'a[href="/live/meetings/{meeting.pk}/board/"]').first.click()
    page.wait_for_selector("#board-rows tr")
    assert page.locator("#board-rows tr").count() >= 17  # the 17 communes (the hall once its room is made)
    host.check("board-before")

    page.locator("#btn-start").click()
    page.wait_for_selector("#btn-end:visible")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.LIVE
    # The room is made in the real Janus.
    wait_for(lambda: VideoRoom.objects.filter(meeting=meeting, status=VideoRoom.Status.ACTIVE).exists())
    text = host.check("board-live")
    assert "Đang diễn ra" in text

    # The roll call, from the board: Tam Hải present with 7, Tam Giang absent.
    page.locator(f'a[href="/meetings/briefings/{meeting.pk}/roll-call/"]').click()
    page.wait_for_url("**/roll-call/")
    host.check("roll-call")
    for name, status, headcount in (("UBND Tam Hải", "present", "7"), ("UBND Tam Giang", "absent", "0")):
        row = page.locator("tr", has_text=name)
        row.locator("select").first.select_option(status)
        row.locator('input[type="number"]').first.fill(headcount)
    with page.expect_navigation():
        page.locator('form button[type="submit"], form button:not([type])').last.click()
    assert RollCall.objects.filter(meeting=meeting).count() >= 2
    text = host.check("attendance-live")
    # Present and absent no longer share one colour.
    assert page.locator("tr", has_text="UBND Tam Hải").locator(".badge.text-bg-success").inner_text() == "Có mặt"
    assert page.locator("tr", has_text="UBND Tam Giang").locator(".badge.text-bg-danger").inner_text() == "Vắng mặt"

    # Back to the board, and the end.
    host.goto(f"/live/meetings/{meeting.pk}/board/")
    page.wait_for_selector("#btn-end:visible")
    page.locator("#btn-end").click()
    page.locator("#btn-end").wait_for(state="hidden")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.ENDED
    host.check("board-ended")
    host.goto(f"/meetings/briefings/{meeting.pk}/attendance/")
    text = host.check("attendance-ended")
    # Tam Hải's roll-call interval is closed at the end (no open interval after the meeting).
    row = page.locator("tr", has_text="UBND Tam Hải").inner_text()
    assert re.search(r"\d\d:\d\d–\d\d:\d\d", row), row


#
# The leader returns the minutes with a reason, the drafter resubmits, the leader approves
#


def test_leader_returns_then_approves_the_minutes(journey):
    from meetings.models import Minutes

    minutes = Minutes.objects.get(meeting__title="Giao ban trực tuyến tuần trước", status=Minutes.Status.IN_REVIEW)
    leader = journey("lanhdao", "leader")
    page = leader.page
    text = leader.check("home")
    assert "Giao ban trực tuyến tuần trước" in text
    page.locator(f'a[href="{minutes.get_absolute_url()}"]').first.click()
    page.wait_for_url(f"**{minutes.get_absolute_url()}")
    leader.check("minutes-in-review")
    reason = "Đề nghị bổ sung ý kiến của xã Tam Hải về sạt lở bờ biển và thời hạn báo cáo."
    page.locator('form[action$="/return/"] textarea').fill(reason)
    with page.expect_navigation():
        page.locator('form[action$="/return/"] button').click()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT and minutes.return_reason == reason
    text = leader.check("minutes-returned")
    assert reason in text

    # The drafter sees why, from the notification, edits and submits again.
    office = journey("vanphong", "drafter")
    text = office.check("home")
    office.goto("/notifications/")
    text = office.check("notifications")
    assert "Biên bản Giao ban trực tuyến tuần trước bị trả lại để sửa" in text and reason in text
    with office.page.expect_navigation():
        office.page.get_by_role("button", name="Biên bản Giao ban trực tuyến tuần trước bị trả lại để sửa").click()
    text = office.check("minutes-returned")
    assert reason in text
    office.page.locator(f'a[href="/meetings/minutes/{minutes.pk}/edit/"]').click()
    office.page.wait_for_url("**/edit/")
    body = office.page.locator("#id_body")
    body.fill(body.input_value() + "\n\nÝ kiến xã Tam Hải: đề nghị hỗ trợ kè chống sạt lở bờ biển thôn Bãi Xếp.")
    office.check("minutes-edit")
    with office.page.expect_navigation():
        office.page.get_by_role("button", name="Lưu", exact=True).click()
    with office.page.expect_navigation():
        office.page.locator('form[action$="/submit/"] button').click()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.IN_REVIEW
    office.check("minutes-resubmitted")

    # The leader approves.
    leader.goto(minutes.get_absolute_url())
    with page.expect_navigation():
        page.locator('form[action$="/approve/"] button').click()
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.APPROVED and minutes.approved_by.username == "lanhdao"
    text = leader.check("minutes-approved")
    assert "Bãi Xếp" in text
    # People by name, not by login ("vanphong", "lanhdao").
    assert "Người soạn Lê Thị Hoa" in text and "Người phê duyệt Nguyễn Hữu Chủ tịch" in text
