"""
After two communes merge, the past reads as it was and open work moves on (issue 14): a meeting held
before the merger names the old commune, the old commune's open task shows on its site page (now the
successor's), the unit tree on a past date counts the sites the communes had then, the commune's
officers work for the successor, and the map outline draws the old communes as one.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from dashboards.map import outline_units
from meetings.models import MinutesTask
from meetings.selectors.briefings import InviteGroup
from meetings.services import briefings as meeting_services
from sites import services
from sites.models import AdministrativeUnit, BridgePoint, Site
from sites.selectors import unit_tree
from tests.meetings.briefings.conftest import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(demo, make_user, admin_user):
    """A briefing eight days ago with both Tam Anh communes, open and done tasks, then the merger two days ago."""
    today = timezone.localdate()
    office = make_user(Role.OFFICE_STAFF)
    host = BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh")
    meeting = make_meeting(office, host, starts_in=-timedelta(days=8), group=InviteGroup.ALL)
    north = AdministrativeUnit.objects.get(code="tam-anh-bac")
    south = AdministrativeUnit.objects.get(code="tam-anh-nam")
    open_task = meeting_services.task_create(
        meeting=meeting, unit=north, title="Sửa đường liên thôn", due_on=today + timedelta(days=20), user=office
    )
    done_task = meeting_services.task_create(
        meeting=meeting, unit=south, title="Báo cáo thiệt hại", due_on=today + timedelta(days=5), user=office
    )
    meeting_services.task_complete(task=done_task, user=office, note="Đã gửi")
    officer = make_user(Role.COMMUNE_OFFICER, unit=north)
    target = services.unit_merge(
        sources=[north, south], code="tam-anh", name="Xã Tam Anh", effective=today - timedelta(days=2)
    )
    return {
        "meeting": meeting,
        "north": north,
        "south": south,
        "target": target,
        "open_task": open_task,
        "done_task": done_task,
        "officer": officer,
        "today": today,
    }


def test_meeting_before_the_merger_names_the_old_communes(client, admin_user, merged):
    client.force_login(admin_user)
    html = client.get(merged["meeting"].get_absolute_url()).content.decode()
    units = re.findall(r'<div class="small text-muted">(Xã Tam Anh[^<]*)</div>', html)
    assert sorted(units) == ["Xã Tam Anh Bắc", "Xã Tam Anh Nam"]


def test_open_work_moves_to_the_successor_and_closed_work_stays(merged):
    assert MinutesTask.objects.get(pk=merged["open_task"].pk).unit == merged["target"]
    assert MinutesTask.objects.get(pk=merged["done_task"].pk).unit == merged["south"]
    assert User.objects.get(pk=merged["officer"].pk).unit == merged["target"]
    # The open task's history says why it moved.
    assert "merged" in MinutesTask.objects.get(pk=merged["open_task"].pk).history.first().history_change_reason


def test_old_communes_site_page_still_shows_its_open_task(client, make_user, merged):
    site = Site.objects.get(code="ubnd-tam-anh-bac")
    client.force_login(make_user(Role.LEADER))
    assert "Sửa đường liên thôn" in client.get(site.get_absolute_url()).content.decode()
    # The commune's own officer (moved to the successor) still sees the site and the task.
    client.force_login(User.objects.get(pk=merged["officer"].pk))
    page = client.get(site.get_absolute_url())
    assert page.status_code == 200 and "Sửa đường liên thôn" in page.content.decode()


def test_tree_on_a_past_date_counts_the_sites_of_that_day(client, admin_user, merged):
    before = merged["today"] - timedelta(days=13)
    counts = {u.code: u.site_count for u, _depth in unit_tree(user=admin_user, on=before)}
    assert counts["tam-anh-bac"] == Site.objects.filter(code__contains="tam-anh-bac").count() > 0
    assert counts["tam-anh-nam"] == Site.objects.filter(code__contains="tam-anh-nam").count() > 0
    assert "tam-anh" not in counts
    today = {u.code: u.site_count for u, _depth in unit_tree(user=admin_user, on=merged["today"])}
    assert today["tam-anh"] == counts["tam-anh-bac"] + counts["tam-anh-nam"]
    assert "tam-anh-bac" not in today
    client.force_login(admin_user)
    page = client.get(reverse("sites:unit_tree") + f"?on={before:%Y-%m-%d}")
    assert page.status_code == 200
    rows = dict(re.findall(r"<code>([\w-]+)</code>.*?<td>(\d+)</td></tr>", page.content.decode(), re.S))
    assert rows["tam-anh-bac"] == str(counts["tam-anh-bac"])


def test_map_outline_draws_the_merged_communes_as_the_successor(client, make_user, merged):
    units = outline_units()
    assert units["tam-anh-bac"] == {"group": "tam-anh", "name": "Xã Tam Anh", "short": "Tam Anh"}
    assert units["tam-anh-nam"]["group"] == "tam-anh"
    assert units["tam-hai"]["group"] == "tam-hai"
    client.force_login(make_user(Role.LEADER))
    html = client.get(reverse("dashboards:map")).content.decode()
    assert '<script id="map-units" type="application/json">' in html and '"group": "tam-anh"' in html
