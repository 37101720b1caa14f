"""
What the network saves: a small known case computed by hand (roll call headcount, expected headcount
without a roll call, an absent site, a stored and a computed distance), the great-circle default, the
yearly page with its chart, the XLSX and PDF downloads, scoping, and constant queries.
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from meetings.models import RollCall
from meetings.selectors import savings
from sites.models import Site

from .conftest import invitation_of, make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    settings.TRAVEL_ALLOWANCE_PER_KM = 3_000
    settings.TRAVEL_ALLOWANCE_PER_PERSON_TRIP = 150_000
    settings.TRAVEL_AVERAGE_SPEED_KMH = 35.0
    settings.TRAVEL_ROAD_FACTOR = 1.3


@pytest.fixture
def held(office, host, rates):
    """Yesterday's briefing: Tam Hải present with 3 (20 km, 40 min), Tam Giang expected 2 without a
    roll call (10.5 km, time from the speed: 18 min), Tam Quang absent; everyone else expected 0."""
    meeting = make_meeting(office, host, starts_in=timedelta(hours=-3), title="Giao ban đã họp")
    Site.objects.filter(unit__code__in=["tam-hai", "tam-giang", "tam-quang"]).update(travel_km=Decimal("20"))
    Site.objects.filter(unit__code="tam-hai").update(travel_minutes=40)
    Site.objects.filter(unit__code="tam-giang").update(travel_km=Decimal("10.5"), travel_minutes=None)
    for code, status, headcount in (("tam-hai", "present", 3), ("tam-quang", "absent", 0)):
        RollCall.objects.create(
            meeting=meeting,
            bridge_point=invitation_of(meeting, code).bridge_point,
            status=status,
            headcount=headcount,
            recorded_by=office,
        )
    giang = invitation_of(meeting, "tam-giang")
    giang.expected_headcount = 2
    giang.save()
    quang = invitation_of(meeting, "tam-quang")
    quang.expected_headcount = 5  # the roll call says absent: nothing saved
    quang.save()
    return meeting


def test_great_circle_and_the_default_travel(rates):
    assert savings.great_circle_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)
    hall = Site(latitude=Decimal("15.0"), longitude=Decimal("108.0"))
    hall.pk = 1
    site = Site(latitude=Decimal("15.0"), longitude=Decimal("108.1"))
    site.pk = 2
    # 0.1° of longitude at 15° N: 10.74 km; × 1.3 road factor = 14.0 km; at 35 km/h: 24 minutes
    assert savings.site_travel(site=site, hall=hall) == (14.0, 24)
    site.travel_km, site.travel_minutes = Decimal("9"), 30
    assert savings.site_travel(site=site, hall=hall) == (9.0, 30)
    assert savings.site_travel(site=hall, hall=hall) == (0.0, 0)


def test_known_case_per_briefing_commune_and_year(held, leader):
    report = savings.savings_report(user=leader, year=timezone.localtime(held.starts_at).year)
    by_name = {u.name: u.total for u in report.units}
    assert set(by_name) == {"Xã Tam Hải", "Xã Tam Giang"}
    # Tam Hải: 2 × 20 km = 40 km; 2 × 40 min × 3 people = 4 h; 40 × 3,000 + 3 × 150,000 = 570,000 đ
    assert by_name["Xã Tam Hải"] == savings.Saving(trips=1, person_trips=3, km=40.0, hours=4.0, dong=570_000)
    # Tam Giang: 2 × 10.5 = 21 km; 10.5 km at 35 km/h = 18 min, × 2 ways × 2 people = 1.2 h; 63,000 + 300,000
    assert by_name["Xã Tam Giang"] == savings.Saving(trips=1, person_trips=2, km=21.0, hours=1.2, dong=363_000)
    assert report.total == savings.Saving(trips=2, person_trips=5, km=61.0, hours=5.2, dong=933_000)
    assert [m.meeting for m in report.meetings] == [held]
    assert report.meetings[0].total == report.total
    assert report.chart["labels"] == ["Xã Tam Hải", "Xã Tam Giang"]


def test_commune_sees_its_own_savings_only(held, officer, client):
    report = savings.savings_report(user=officer, year=timezone.localtime(held.starts_at).year)
    assert [u.name for u in report.units] == ["Xã Tam Hải"] and report.total.dong == 570_000


def test_page_xlsx_and_pdf(client, held, leader, make_user, settings):
    from openpyxl import load_workbook

    year = timezone.localtime(held.starts_at).year
    client.force_login(leader)
    page = client.get(reverse("meetings:briefing_savings"), {"year": year})
    html = page.content.decode()
    assert page.status_code == 200 and "933.000" in html and 'id="savings-data"' in html
    response = client.get(reverse("meetings:briefing_savings_xlsx", args=[year]))
    assert response.status_code == 200 and "tiet-kiem" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert ("Xã Tam Hải", 1, 3, 40, 4, 570000) in rows
    assert rows[-1][1:] == (2, 5, 61, 5.2, 933000)
    pdf = client.get(reverse("meetings:briefing_savings_pdf", args=[year]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    client.force_login(make_user(Role.TECHNICIAN))
    assert client.get(reverse("meetings:briefing_savings")).status_code == 403
    assert client.get(reverse("meetings:briefing_savings_xlsx", args=[year])).status_code == 403


def test_report_queries_do_not_grow(client, held, leader, office, host, django_assert_max_num_queries):
    client.force_login(leader)
    url = reverse("meetings:briefing_savings")
    client.get(url)
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    other = make_meeting(office, host, starts_in=timedelta(hours=-30), title="Giao ban khác")
    other.invitations.update(expected_headcount=4)
    with django_assert_max_num_queries(len(before)):
        client.get(url)


def savings_panel(response):
    return next(p.context for p in response.context["panels"] if p.panel.key == "meetings.savings")


def test_home_panel_is_cached_until_a_roll_call_changes(client, held, leader, office, settings):
    """
    Issue 18: on a province the savings panel reads a year of invitations (seconds). The leaders' home
    keeps it in the cache (common.datacache): the next view does not read the invitations again, and
    a roll call recorded afterwards shows at once.
    """
    settings.DATA_CACHE = True
    client.force_login(leader)
    with CaptureQueriesContext(connection) as cold:
        first = client.get("/")
    with CaptureQueriesContext(connection) as warm:
        second = client.get("/")
    assert any("call_headcount" in q["sql"] for q in cold.captured_queries)
    assert not any("call_headcount" in q["sql"] for q in warm.captured_queries)
    # The cached panels (savings, plans, equipment value) leave the leaders' home within the issue's 30 queries.
    assert len(warm) < len(cold) and len(warm) <= 30
    assert savings_panel(second)["total"] == savings_panel(first)["total"]
    assert savings_panel(second)["total"].trips == 2

    RollCall.objects.create(
        meeting=held,
        bridge_point=invitation_of(held, "tam-giang").bridge_point,
        status="present",
        headcount=4,
        recorded_by=office,
    )
    third = client.get("/")
    assert savings_panel(third)["total"].person_trips == 3 + 4


def test_report_page_pages_the_briefings_and_keeps_the_report_until_a_roll_call(
    client, held, leader, office, host, settings
):
    """
    Issue 18: a province's year (about 600 briefings, ten thousand invitations) took seconds to add
    up and to draw. The report is kept in the cache until its data changes; the briefings are listed
    SAVINGS_MEETINGS_PER_PAGE at a time.
    """
    from meetings.views.briefings import SAVINGS_MEETINGS_PER_PAGE

    settings.DATA_CACHE = True
    client.force_login(leader)
    url = reverse("meetings:briefing_savings")
    first = client.get(url)
    assert [m.meeting for m in first.context["meetings"]] == [held]
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert not any("call_headcount" in q["sql"] for q in warm.captured_queries)
    RollCall.objects.create(
        meeting=held, bridge_point=invitation_of(held, "tam-giang").bridge_point, status="absent", recorded_by=office
    )
    assert client.get(url).context["report"].total.trips == 1  # Tam Giang absent: only Tam Hải's trip is left
    for n in range(SAVINGS_MEETINGS_PER_PAGE):
        make_meeting(office, host, starts_in=timedelta(hours=-5 - 2 * n), title=f"Giao ban {n}")
    page = client.get(url).context["meetings"]
    assert len(page) == SAVINGS_MEETINGS_PER_PAGE and page.paginator.count == SAVINGS_MEETINGS_PER_PAGE + 1
    assert len(client.get(url, {"page": 2}).context["meetings"]) == 1
