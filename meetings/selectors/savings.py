"""
What the network saves: every delegation that took part in a briefing over the network from its own
site spared a round trip to the district hall (the meeting's host site). Per briefing and per year,
per commune: trips (delegations that would have travelled), person-trips (their headcount),
kilometres (round trip, one vehicle per delegation), person-hours on the road and the travel
allowance in đồng (kilometres × TRAVEL_ALLOWANCE_PER_KM + person-trips × TRAVEL_ALLOWANCE_PER_PERSON_TRIP).

A site's one-way distance is its `travel_km`, or the great-circle distance between the coordinates ×
TRAVEL_ROAD_FACTOR; its time is `travel_minutes`, or that distance at TRAVEL_AVERAGE_SPEED_KMH.
A delegation's headcount is its roll call's (absent: nothing saved), without a roll call the
invitation's expected headcount. Three queries whatever the number of briefings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from common.scoping import scope_queryset
from meetings.models import Meeting, MeetingInvitation, RollCall
from meetings.selectors.briefings import meeting_list_for_user

if TYPE_CHECKING:
    from accounts.models import User
    from sites.models import Site

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def site_travel(*, site: Site, hall: Site | None) -> tuple[float, float]:
    """(one-way km, one-way minutes) from `site` to the district hall: stored, else from the coordinates."""
    if site.travel_km is not None:
        km = float(site.travel_km)
    elif hall is None or hall.pk == site.pk or None in (site.latitude, site.longitude, hall.latitude, hall.longitude):
        km = 0.0
    else:
        km = great_circle_km(
            float(site.latitude), float(site.longitude), float(hall.latitude), float(hall.longitude)
        ) * float(settings.TRAVEL_ROAD_FACTOR)
    if site.travel_minutes is not None:
        minutes = float(site.travel_minutes)
    else:
        minutes = km / float(settings.TRAVEL_AVERAGE_SPEED_KMH) * 60 if km else 0.0
    return round(km, 1), round(minutes)


@dataclass(slots=True)
class Saving:
    """Trips, person-trips, kilometres, hours and đồng saved (by one briefing, one commune or a year)."""

    trips: int = 0
    person_trips: int = 0
    km: float = 0.0
    hours: float = 0.0
    dong: int = 0

    def add(self, other: Saving) -> None:
        self.trips += other.trips
        self.person_trips += other.person_trips
        self.km = round(self.km + other.km, 1)
        self.hours = round(self.hours + other.hours, 1)
        self.dong += other.dong


def delegation_saving(*, km: float, minutes: float, headcount: int) -> Saving:
    if headcount <= 0 or km <= 0:
        return Saving()
    round_trip_km = 2 * km
    return Saving(
        trips=1,
        person_trips=headcount,
        km=round(round_trip_km, 1),
        hours=round(2 * minutes * headcount / 60, 1),
        dong=round(round_trip_km * settings.TRAVEL_ALLOWANCE_PER_KM)
        + headcount * settings.TRAVEL_ALLOWANCE_PER_PERSON_TRIP,
    )


@dataclass(slots=True)
class MeetingSaving:
    meeting: Meeting
    total: Saving = field(default_factory=Saving)


@dataclass(slots=True)
class UnitSaving:
    unit_id: int
    name: str
    total: Saving = field(default_factory=Saving)


@dataclass(slots=True)
class SavingsReport:
    year: int
    meetings: list[MeetingSaving]
    units: list[UnitSaving]
    total: Saving

    @property
    def chart(self) -> dict[str, list]:
        return {
            "labels": [u.name for u in self.units],
            "dong": [u.total.dong for u in self.units],
            "km": [u.total.km for u in self.units],
        }


def savings_report(*, user: User, year: int | None = None, now: datetime | None = None) -> SavingsReport:
    """The year's held briefings (not cancelled, not "not held", started before `now`), three queries."""
    now = now or timezone.now()
    year = year or timezone.localdate().year
    tz = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=tz)
    end = min(datetime(year + 1, 1, 1, tzinfo=tz), now)
    meetings = (
        meeting_list_for_user(user=user)
        .exclude(status__in=(Meeting.Status.CANCELLED, Meeting.Status.NOT_HELD))
        .filter(starts_at__gte=start, starts_at__lt=end)
    )
    calls = RollCall.objects.filter(meeting=OuterRef("meeting_id"), bridge_point=OuterRef("bridge_point_id"))
    # A commune officer sees its own delegations' savings only. Plain rows, not model instances: a
    # province's year is about ten thousand invitations (issue 18), and building the meeting, host
    # site, site and unit of each took seconds. Sites and meetings are read once each.
    rows = list(
        scope_queryset(MeetingInvitation.objects.all(), user)
        .filter(meeting__in=meetings)
        .annotate(
            call_status=Subquery(calls.values("status")[:1]), call_headcount=Subquery(calls.values("headcount")[:1])
        )
        .order_by()
        .values_list(
            "meeting_id",
            "meeting__host_bridge_point__room__site_id",
            "bridge_point__room__site_id",
            "expected_headcount",
            "call_status",
            "call_headcount",
        )
    )
    from sites.models import Site

    site_ids = {r[1] for r in rows} | {r[2] for r in rows}
    sites = {
        s.pk: s
        for s in Site.objects.filter(pk__in=site_ids)
        .select_related("unit")
        .only("travel_km", "travel_minutes", "latitude", "longitude", "unit__name")
    }
    travel: dict[tuple[int, int], tuple[float, float]] = {}
    by_meeting: dict[int, Saving] = {}
    by_unit: dict[int, UnitSaving] = {}
    total = Saving()
    for meeting_id, hall_id, site_id, expected, call_status, call_headcount in rows:
        row = by_meeting.setdefault(meeting_id, Saving())
        if call_status is not None:
            headcount = 0 if call_status == RollCall.Status.ABSENT else call_headcount
        else:
            headcount = expected
        if (site_id, hall_id) not in travel:
            travel[site_id, hall_id] = site_travel(site=sites[site_id], hall=sites.get(hall_id))
        km, minutes = travel[site_id, hall_id]
        saving = delegation_saving(km=km, minutes=minutes, headcount=headcount)
        if not saving.trips:
            continue
        row.add(saving)
        unit = sites[site_id].unit
        by_unit.setdefault(unit.pk, UnitSaving(unit.pk, unit.name)).total.add(saving)
        total.add(saving)
    by_pk = Meeting.objects.only("title", "starts_at").in_bulk(list(by_meeting))
    meeting_savings = [MeetingSaving(by_pk[pk], saving) for pk, saving in by_meeting.items()]
    return SavingsReport(
        year=year,
        meetings=sorted(
            sorted(meeting_savings, key=lambda m: m.meeting.pk), key=lambda m: m.meeting.starts_at, reverse=True
        ),
        units=sorted(by_unit.values(), key=lambda u: (-u.total.dong, u.name)),
        total=total,
    )


# What a report is made from: it is kept in the cache until one of these changes (common.datacache),
# five minutes at most (a briefing that starts joins the report then).
SAVINGS_MODELS = [
    "meetings.Meeting",
    "meetings.MeetingInvitation",
    "meetings.RollCall",
    "sites.Site",
    "sites.Room",
    "sites.BridgePoint",
    "sites.AdministrativeUnit",
]


def savings_report_cached(*, user: User, year: int | None = None) -> SavingsReport:
    """`savings_report`, kept in the cache per user (what they may see) and year until its data changes."""
    from common.datacache import cached_by_data

    year = year or timezone.localdate().year
    return cached_by_data(
        f"savings:{user.pk}:{user.unit_id}:{year}",
        depends_on=SAVINGS_MODELS,
        seconds=300,
        build=lambda: savings_report(user=user, year=year),
    )


def savings_years(*, today: date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(range(today.year, today.year - 5, -1))
