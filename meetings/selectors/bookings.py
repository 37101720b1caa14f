"""
Reads for room bookings: overlaps, who decides, the day and week calendar of all rooms, free slots
and the bookings behind calendar feeds. Every read that shows bookings to a person goes through
`visible_to(user)`, so a commune sees only its own rooms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import holidays
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone, translation

from meetings.models import Booking, BookingSeries, RoomBookingPolicy
from sites.models import Room

if TYPE_CHECKING:
    from accounts.models import User

# The default working day for free-slot search, and the hours from which the calendar proposes a
# time when a person clicks an empty day (the day view itself shows the whole day, 00:00–24:00).
WORKDAY_START, WORKDAY_END = time(7, 0), time(17, 30)
# Rooms per page of the calendar: a province has hundreds, and a page of them all took a second to make.
CALENDAR_ROOMS_PER_PAGE = 25
SLOT_STEP_MINUTES = 15


def booking_overlaps(
    *, room_id: int, starts_at: datetime, ends_at: datetime, exclude_pk: int | None = None
) -> QuerySet[Booking]:
    """Active bookings of the room that overlap [starts_at, ends_at) (touching ends do not)."""
    qs = Booking.objects.filter(
        room_id=room_id, status__in=Booking.ACTIVE_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).select_related("booked_by")
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("starts_at")


def user_can_decide(*, user: User, room: Room) -> bool:
    """Approvers decide only for their rooms (superusers for all)."""
    if user.is_superuser:
        return True
    return RoomBookingPolicy.objects.filter(room=room, approvers=user).exists()


def bookings_awaiting_decision(*, user: User) -> QuerySet[Booking]:
    """Tentative bookings of the rooms that `user` approves."""
    qs = Booking.objects.visible_to(user).filter(status=Booking.Status.TENTATIVE)
    if not user.is_superuser:
        qs = qs.filter(room__booking_policy__approvers=user)
    return qs.select_related("room", "room__site", "booked_by").order_by("starts_at")


def series_awaiting_decision(*, user: User, now: datetime | None = None) -> QuerySet[BookingSeries]:
    """
    Recurring bookings of the rooms that `user` approves with dates still to come that are tentative,
    each annotated with `waiting` (how many such dates), `first_waiting` and `last_waiting` (their
    first and last start); one query, soonest first.
    """
    pending = Q(bookings__status=Booking.Status.TENTATIVE, bookings__ends_at__gt=now or timezone.now())
    qs = BookingSeries.objects.visible_to(user)
    if not user.is_superuser:
        qs = qs.filter(room__booking_policy__approvers=user)
    return (
        qs.annotate(
            waiting=Count("bookings", filter=pending),
            first_waiting=Min("bookings__starts_at", filter=pending),
            last_waiting=Max("bookings__starts_at", filter=pending),
        )
        .filter(waiting__gt=0)
        .select_related("room", "room__site", "booked_by")
        .order_by("first_waiting", "pk")
    )


def booking_list(*, user: User) -> QuerySet[Booking]:
    return Booking.objects.visible_to(user).select_related("room", "room__site", "booked_by", "series")


def series_list(*, user: User) -> QuerySet[BookingSeries]:
    return BookingSeries.objects.visible_to(user).select_related("room", "room__site", "booked_by")


def bookable_rooms(*, user: User, site_id: int | None = None) -> QuerySet[Room]:
    rooms = Room.objects.visible_to(user).filter(is_bookable=True)
    if site_id:
        rooms = rooms.filter(site_id=site_id)
    return rooms.select_related("site", "booking_policy").order_by("-capacity", "site__name", "name")


def public_holidays(years: Iterable[int], *, language: str | None = None) -> dict[date, str]:
    """
    Public holidays, lunar ones (Tết) included, named in `language` (the active language unless told):
    "Mùng bốn Tết Nguyên Đán" on a Vietnamese page, "Fourth Day of Lunar New Year" on an English one.
    The names come with the holidays library's own translations, as the dates do.
    """
    return dict(
        _holidays_of(
            settings.BOOKING_HOLIDAY_COUNTRY,
            tuple(sorted(set(years))),
            _library_language(language or translation.get_language() or settings.LANGUAGE_CODE),
        )
    )


def holiday_name(day: date, *, language: str | None = None) -> str:
    """The name of the public holiday on `day` in `language` (the active one), or "" on a working day."""
    return public_holidays([day.year], language=language).get(day, "")


# The portal's languages as the holidays library spells them (its catalogues: vi, en_US, th).
_LIBRARY_LANGUAGES = {"vi": "vi", "en": "en_US"}


def _library_language(code: str) -> str | None:
    # None: the country's own default language (a country the library does not translate).
    return _LIBRARY_LANGUAGES.get(code.split("-")[0].split("_")[0].lower())


@lru_cache(maxsize=64)
def _holidays_of(country: str, years: tuple[int, ...], language: str | None) -> tuple[tuple[date, str], ...]:
    # Computing lunar dates is not free and the answer never changes: cache it per process.
    return tuple(holidays.country_holidays(country, years=list(years), language=language).items())


def holidays_during(*, starts_at: datetime, ends_at: datetime, language: str | None = None) -> list[tuple[date, str]]:
    """The public holidays among the local dates a booking spans, as (date, name), in date order; the
    names in `language` (the active one unless told)."""
    tz = timezone.get_default_timezone()
    first = timezone.localtime(starts_at, tz).date()
    last = timezone.localtime(ends_at - timedelta(microseconds=1), tz).date()
    days = [first + timedelta(days=i) for i in range(max(0, (last - first).days) + 1)]
    day_off = public_holidays({d.year for d in days}, language=language)
    return [(d, day_off[d]) for d in days if d in day_off]


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        timezone.make_aware(datetime.combine(day, time.min), tz),
        timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz),
    )


#
# Calendar
#


@dataclass(slots=True)
class DayBlock:
    """A booking placed on a day's timeline: offsets in % of the visible hours."""

    booking: Booking
    left: float
    width: float


@dataclass(slots=True)
class CalendarCell:
    day: date
    bookings: list[Booking] = field(default_factory=list)
    blocks: list[DayBlock] = field(default_factory=list)
    # A free hour to propose when the empty part of the cell is clicked (week view); None when the
    # day is past or has no free hour left.
    suggest: tuple[datetime, datetime] | None = None


@dataclass(slots=True)
class CalendarRow:
    room: Room
    cells: list[CalendarCell]


@dataclass(slots=True)
class HourSlot:
    """One hour of the day view, a link to book it when it is still to come."""

    hour: int
    starts_at: datetime
    ends_at: datetime
    bookable: bool


@dataclass(slots=True)
class Calendar:
    days: list[date]
    rows: list[CalendarRow]
    holidays: dict[date, str]
    hours: list[int]
    slots: list[HourSlot] = field(default_factory=list)
    page: Page | None = None  # the rooms' page, for the links to the others


def _place(booking: Booking, day: date) -> DayBlock:
    window_start, window_end = _day_bounds(day)
    span = (window_end - window_start).total_seconds()
    start = max(booking.starts_at, window_start)
    end = min(booking.ends_at, window_end)
    left = max(0.0, (start - window_start).total_seconds() / span * 100)
    width = max(1.5, (end - start).total_seconds() / span * 100) if end > start else 1.5
    return DayBlock(booking=booking, left=round(min(left, 98.5), 2), width=round(min(width, 100 - left), 2))


def _hour(day: date, hour: int) -> datetime:
    """The local instant of `hour`:00 on `day` (24 is the next midnight)."""
    return timezone.make_aware(datetime.combine(day, time.min) + timedelta(hours=hour), timezone.get_default_timezone())


def _free_hour(
    hours: list[tuple[datetime, datetime]], bookings: list[Booking], now: datetime
) -> tuple[datetime, datetime] | None:
    """The first of a day's candidate `hours` (start, end) that is free in `bookings` and not past."""
    for start, end in hours:
        if start >= now and not any(b.starts_at < end and b.ends_at > start for b in bookings):
            return start, end
    return None


def calendar(
    *,
    user: User,
    start: date,
    days: int,
    site_id: int | None = None,
    include_inactive: bool = False,
    page: int | str | None = 1,
    per_page: int | None = None,
) -> Calendar:
    """
    Rooms × days with the bookings of each day, for one page of rooms: three queries whatever the
    number of rooms or bookings (the rooms' count; rooms with their site and policy; bookings with
    their booker). The day view places each booking on the whole day's timeline (00:00–24:00) and
    lists the hours still bookable; the week view proposes a free hour per room and day for a click on
    the empty part of its cell.
    """
    now = timezone.now()
    day_list = [start + timedelta(days=i) for i in range(days)]
    rooms = bookable_rooms(user=user, site_id=site_id)
    rooms_page = Paginator(rooms, per_page or CALENDAR_ROOMS_PER_PAGE).get_page(page)
    rooms = list(rooms_page.object_list)
    # The hours a week's cell may propose: the working day's and the evening's, each day's computed once.
    candidate_hours = {
        day: [(_hour(day, h), _hour(day, h + 1)) for h in range(WORKDAY_START.hour, 23)] for day in day_list
    }
    range_start, _ = _day_bounds(day_list[0])
    _, range_end = _day_bounds(day_list[-1])
    bookings = Booking.objects.visible_to(user).filter(
        room__in=[r.pk for r in rooms], starts_at__lt=range_end, ends_at__gt=range_start
    )
    if not include_inactive:
        bookings = bookings.filter(status__in=Booking.ACTIVE_STATUSES)
    by_room: dict[int, list[Booking]] = defaultdict(list)
    statuses = dict(Booking.Status.choices)
    for booking in bookings.select_related("booked_by").order_by("starts_at"):
        # What each block says, made once here: the template's date filters and status lookups, four
        # and two per booking, were most of a busy week's page (740 bookings: 170 ms).
        booking.hours = f"{timezone.localtime(booking.starts_at):%H:%M}–{timezone.localtime(booking.ends_at):%H:%M}"
        booking.status_label = statuses.get(booking.status, booking.status)
        by_room[booking.room_id].append(booking)
    bounds = {day: _day_bounds(day) for day in day_list}
    rows = []
    for room in rooms:
        cells = []
        for day in day_list:
            day_start, day_end = bounds[day]
            todays = [b for b in by_room[room.pk] if b.starts_at < day_end and b.ends_at > day_start]
            for booking in todays:
                booking.room = room  # already loaded; saves a query per booking in templates
            cell = CalendarCell(day=day, bookings=todays)
            if days == 1:
                cell.blocks = [_place(b, day) for b in todays]
            else:
                cell.suggest = _free_hour(candidate_hours[day], todays, now)
            cells.append(cell)
        rows.append(CalendarRow(room=room, cells=cells))
    day_off = {d: n for d, n in public_holidays({d.year for d in day_list}).items() if d in bounds}
    slots = []
    if days == 1:
        earliest = _round_up(now)
        for h in range(24):
            slot_start, slot_end = max(_hour(start, h), earliest), _hour(start, h + 1)
            slots.append(HourSlot(hour=h, starts_at=slot_start, ends_at=slot_end, bookable=slot_start < slot_end))
    return Calendar(days=day_list, rows=rows, holidays=day_off, hours=list(range(24)), slots=slots, page=rooms_page)


#
# Free slots
#


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A free window of a room, `starts_at`–`window_ends_at`, and the slot of the asked duration at its
    start (`starts_at`–`ends_at`), which is what the "Book" link proposes."""

    room: Room
    starts_at: datetime
    ends_at: datetime
    window_ends_at: datetime

    @property
    def day(self) -> date:
        return timezone.localtime(self.starts_at, timezone.get_default_timezone()).date()


def _round_up(moment: datetime) -> datetime:
    step = SLOT_STEP_MINUTES * 60
    seconds = moment.minute * 60 + moment.second + moment.microsecond / 1e6
    extra = (-seconds) % step
    return (moment + timedelta(seconds=extra)).replace(second=0, microsecond=0)


def _free_windows(
    busy: list[tuple[datetime, datetime]], opens: datetime, closes: datetime, duration: timedelta
) -> list[tuple[datetime, datetime]]:
    """The gaps of at least `duration` between `opens` and `closes` left by `busy` (sorted by start)."""
    windows, cursor = [], opens
    for starts_at, ends_at in [*busy, (closes, closes)]:
        if ends_at <= cursor:
            continue
        gap_end = min(starts_at, closes)
        if gap_end - cursor >= duration:
            windows.append((cursor, gap_end))
        cursor = max(cursor, _round_up(ends_at))
        if cursor >= closes:
            break
    return windows


def free_slots(
    *,
    user: User,
    duration: timedelta,
    date_from: date,
    date_to: date,
    site_id: int | None = None,
    room_ids: list[int] | None = None,
    per_room: int | None = None,
    min_capacity: int = 0,
) -> list[tuple[Room, list[FreeSlot]]]:
    """
    Per room, every free window of at least `duration` on each day between `date_from` and
    `date_to` (all of them unless `per_room` caps the count), within the room's opening hours (the
    working day when it has none), on working days that are not public holidays (weekends too when
    the room is open then). Two queries in all.
    """
    tz = timezone.get_default_timezone()
    rooms = bookable_rooms(user=user, site_id=site_id).filter(capacity__gte=min_capacity)
    if room_ids:
        rooms = rooms.filter(pk__in=room_ids)
    rooms = list(rooms)
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    if not rooms or not days:
        return []
    range_start, _ = _day_bounds(days[0])
    _, range_end = _day_bounds(days[-1])
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for room_id, starts_at, ends_at in (
        Booking.objects.filter(
            room__in=[r.pk for r in rooms],
            status__in=Booking.ACTIVE_STATUSES,
            starts_at__lt=range_end,
            ends_at__gt=range_start,
        )
        .order_by("starts_at")
        .values_list("room_id", "starts_at", "ends_at")
    ):
        busy[room_id].append((starts_at, ends_at))
    day_off = public_holidays({d.year for d in days})
    earliest = _round_up(timezone.now())
    result = []
    for room in rooms:
        policy = getattr(room, "booking_policy", None)
        opens = policy.opens_at if policy and policy.opens_at else WORKDAY_START
        closes = policy.closes_at if policy and policy.closes_at else WORKDAY_END
        weekends = bool(policy and policy.open_on_weekends)
        slots: list[FreeSlot] = []
        for day in days:
            if day in day_off or (day.weekday() >= 5 and not weekends):
                continue
            day_start = max(timezone.make_aware(datetime.combine(day, opens), tz), earliest)
            day_end = timezone.make_aware(datetime.combine(day, closes), tz)
            if day_start >= day_end:
                continue
            todays = [(s, e) for s, e in busy[room.pk] if s < day_end and e > day_start]
            slots.extend(
                FreeSlot(room=room, starts_at=start, ends_at=start + duration, window_ends_at=end)
                for start, end in _free_windows(todays, day_start, day_end, duration)
            )
        if per_room is not None:
            slots = slots[:per_room]
        if slots:
            result.append((room, slots))
    return result


#
# Calendar feeds
#

FEED_PAST = timedelta(days=60)
FEED_FUTURE = timedelta(days=400)


def _feed_window(qs: QuerySet[Booking]) -> QuerySet[Booking]:
    now = timezone.now()
    return (
        qs.filter(status__in=Booking.ACTIVE_STATUSES, ends_at__gt=now - FEED_PAST, starts_at__lt=now + FEED_FUTURE)
        .select_related("room", "room__site")
        .order_by("starts_at")
    )


def feed_bookings_for_user(*, user: User) -> QuerySet[Booking]:
    """A person's own bookings and, for approvers, the bookings of their rooms."""
    mine = Q(booked_by=user) | Q(room__booking_policy__approvers=user)
    return _feed_window(Booking.objects.visible_to(user).filter(mine).distinct())


def feed_bookings_for_room(*, user: User, room: Room) -> QuerySet[Booking]:
    return _feed_window(Booking.objects.visible_to(user).filter(room=room))


#
# A meeting's room booking
#


@dataclass(slots=True)
class MeetingBooking:
    """What a meeting's page says about the booking of its host room, and who may decide on it."""

    booking: Booking
    approvers: list[str]
    can_decide: bool

    @property
    def confirmed(self) -> bool:
        return self.booking.status == Booking.Status.CONFIRMED


def meeting_booking(*, user: User, meeting: object) -> MeetingBooking | None:
    """The room booking behind `meeting` (None when the meeting books no room)."""
    booking_id = getattr(meeting, "booking_id", None)
    if booking_id is None:
        return None
    booking = Booking.objects.select_related("room", "room__site").get(pk=booking_id)
    policy = RoomBookingPolicy.objects.filter(room_id=booking.room_id).first()
    approvers = [a.get_full_name() or a.username for a in policy.approvers.order_by("username")] if policy else []
    return MeetingBooking(
        booking=booking,
        approvers=approvers,
        can_decide=booking.status == Booking.Status.TENTATIVE and user_can_decide(user=user, room=booking.room),
    )
