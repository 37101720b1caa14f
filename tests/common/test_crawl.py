"""
The crawl (issue 14): log in as every demo user on the demo data, follow the internal links of every page
(a few per URL shape) and fail on any 5xx, on any known English UI word in a Vietnamese page, and on any
time shown in UTC instead of Asia/Ho_Chi_Minh.

The demo data is loaded once for the module (`seed_demo`, 10–20 s) inside a transaction that is rolled back
at the end; each test runs in a savepoint inside it. Each demo user starts at "/" and follows `<a href>`
links (GET only: every change in the portal is a POST), at most 3 pages per URL shape (/sites/sites/#/)
and 1 per query shape (?sort=…, ?page=…, each filter), about 1 000 pages in all (under a minute of CPU).
Downloads, the API, Django's admin, /healthz (503 without a Celery worker) and logout are not followed.
"""

import datetime as dt
import io
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.demo import DEMO_USERS
from accounts.models import User

# Links the crawl never follows: assets, leaving the session or the language, downloads (PDF, sheets,
# calendars, exports: slow and not HTML), the API (its own tests), Django's admin (its own pages).
SKIP_PREFIXES = ("/static/", "/media/", "/accounts/logout", "/i18n/", "/api/", "/ws/", "/healthz", "/admin/")
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".ics", ".zip", ".png", ".jpg", ".svg", ".json")
SKIP_PARTS = ("/export/", "/pdf/", "/download/", "/export", "format=")
PER_SHAPE = 3  # pages visited per URL shape and user (a path with numbers: one per object, three objects)
PER_QUERY_SHAPE = 1  # ... and per query shape: ?sort=…, ?page=… and filters mostly render the same page
PER_USER = 300  # pages visited per user at most

# English UI words seen in the Vietnamese UI (issue 14 and this crawl), whole words, case-sensitive:
# untranslated labels, the table pager, durations, raw history actions, choice values and role names,
# a None printed for "—", form errors' `__all__`. None of them is in the demo data or a proper name.
ENGLISH_WORDS = [
    "Terrain",
    "Meeting",
    "next",
    "previous",
    "minutes",
    "hour",
    "hours",
    "days",
    "create",
    "update",
    "delete",
    "None",
    "fisheye_360",
    "technician",
    "office_staff",
    "commune_officer",
    "police_operator",
    "__all__",
    "Forbidden",
]


class _Page(HTMLParser):
    """The links and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def shape(url: str) -> str:
    """
    /sites/bridge-points/12/ → /sites/bridge-points/#/; a query string by its keys, sorting and paging
    aside: /sites/equipment/?unit=3&page=2 → /sites/equipment/?unit, ?sort=code → /sites/equipment/?.
    """
    parts = urlsplit(url)
    path = re.sub(r"\d+", "#", parts.path)
    if not parts.query:
        return path
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)} - {"page", "sort"})
    return path + "?" + "&".join(keys)


def followable(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "testserver"):
        return False
    path = parts.path
    return (
        path.startswith("/")
        and not path.startswith(SKIP_PREFIXES)
        and not path.endswith(SKIP_SUFFIXES)
        and not any(part in url for part in SKIP_PARTS)
    )


@dataclass
class Crawl:
    visited: list[tuple[str, int, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    shapes: set[str] = field(default_factory=set)


def crawl(user: User) -> Crawl:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    result = Crawl()
    per_shape: dict[str, int] = defaultdict(int)
    seen = {"/"}
    queue = ["/"]
    words = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")(?![\w-])")
    while queue and len(result.visited) < PER_USER:
        url = queue.pop(0)
        t0 = time.monotonic()
        response = client.get(url)
        result.visited.append((url, response.status_code, time.monotonic() - t0))
        result.shapes.add(shape(url))
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            reason = f"{exc[0].__name__}: {exc[1]}" if exc else ""
            result.errors.append(f"{user.username} {url} {response.status_code} {reason}"[:400])
            continue
        links: list[str] = []
        if response.status_code in (301, 302, 303, 307, 308):
            links = [response["Location"]]
        elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            page = _Page()
            page.feed(response.content.decode())
            text = " ".join(" ".join(page.text).split())
            result.texts[url] = text
            for match in sorted(set(words.findall(text))):
                at = text.find(match)
                result.english.append(f"{user.username} {url} {match!r}: …{text[max(0, at - 60) : at + 60]}…")
            links = page.links
        for href in links:
            target = urldefrag(urljoin(url, href)).url
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen or not followable(target):
                continue
            seen.add(target)
            key = shape(target)
            if per_shape[key] >= (PER_QUERY_SHAPE if "?" in key else PER_SHAPE):
                continue
            per_shape[key] += 1
            queue.append(target)
    return result


# Known times, planted on demo objects before the crawl. Each is at 17:00 UTC or later, so its local
# (Asia/Ho_Chi_Minh, UTC+7) date is the next day: a page that shows the UTC date (10/03/2031) or the UTC
# hour is showing the wrong time. (label, local start, URL name, field(s) set)
UTC_DATE = "10/03/2031"
LOCAL_DATE = "11/03/2031"


def _at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2031, 3, 10, hour, minute, tzinfo=dt.UTC)


@dataclass
class Marker:
    label: str
    url: str
    utc: dt.datetime

    @property
    def local_text(self) -> str:
        return timezone.localtime(self.utc).strftime("%H:%M")

    @property
    def utc_text(self) -> str:
        return self.utc.strftime("%H:%M")


def plant_times() -> list[Marker]:
    """Give a few demo objects known times (no service: the values alone matter), return where they show."""
    from cameras.models import Camera
    from meetings.models import Booking, Meeting, MinutesTask
    from sites.models import BridgePoint

    markers = []
    booking = Booking.objects.filter(meeting__isnull=True).order_by("pk").first()
    Booking.objects.filter(pk=booking.pk).update(starts_at=_at(20, 37), ends_at=_at(21, 52))
    markers.append(Marker("booking start", reverse("meetings:booking_detail", args=[booking.pk]), _at(20, 37)))
    meeting = Meeting.objects.order_by("pk").first()
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=_at(19, 41), ends_at=_at(21, 13))
    markers.append(Marker("briefing start", reverse("meetings:meeting_detail", args=[meeting.pk]), _at(19, 41)))
    markers.append(Marker("briefing start (live list)", reverse("live:index"), _at(19, 41)))
    task = MinutesTask.objects.order_by("pk").first()
    MinutesTask.objects.filter(pk=task.pk).update(status=MinutesTask.Status.DONE, completed_at=_at(22, 19))
    markers.append(Marker("task completed", reverse("meetings:minutestask_detail", args=[task.pk]), _at(22, 19)))
    point = BridgePoint.objects.order_by("pk").first()
    BridgePoint.objects.filter(pk=point.pk).update(last_test_at=_at(23, 47))
    markers.append(Marker("last test call", reverse("sites:bridgepoint_detail", args=[point.pk]), _at(23, 47)))
    markers.append(
        Marker("last test call (site page)", reverse("sites:site_detail", args=[point.room.site_id]), _at(23, 47))
    )
    camera = Camera.objects.order_by("pk").first()
    Camera.objects.filter(pk=camera.pk).update(last_seen_at=_at(18, 53))
    markers.append(Marker("camera last seen", reverse("cameras:camera_detail", args=[camera.pk]), _at(18, 53)))
    return markers


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """
    `manage.py seed_demo` once for the module (10–20 s), rolled back at the end, then the known times.
    Yields the planted times.
    """
    # In Vietnamese, as `manage.py seed_demo` runs (portal.settings.test says English).
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("vi"):
        call_command("seed_demo", stdout=io.StringIO())
        yield plant_times()
        transaction.set_rollback(True)


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi", DEBUG=False)
@pytest.mark.parametrize("username", [username for username, *_ in DEMO_USERS])
def test_crawl(demo_data, username):
    started = time.monotonic()
    result = crawl(User.objects.get(username=username))
    print(f"{username}: {len(result.visited)} pages, {len(result.shapes)} shapes, {time.monotonic() - started:.1f} s")
    utc = [
        f"{username} {url}: {UTC_DATE}, a planted time in UTC" for url, text in result.texts.items() if UTC_DATE in text
    ]
    problems = result.errors + result.english + utc
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="vi", DEBUG=False)
def test_times_are_local(demo_data):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    wrong = []
    for marker in demo_data:
        page = _Page()
        page.feed(client.get(marker.url).content.decode())
        text = " ".join(" ".join(page.text).split())
        if marker.local_text not in text or marker.utc_text in text or UTC_DATE in text:
            at = text.find(marker.utc_text) if marker.utc_text in text else text.find("2031")
            wrong.append(
                f"{marker.label} {marker.url}: expected {LOCAL_DATE} {marker.local_text}, not {UTC_DATE} "
                f"{marker.utc_text}: …{text[max(0, at - 80) : at + 40]}…"
            )
    assert not wrong, "\n".join(wrong)
