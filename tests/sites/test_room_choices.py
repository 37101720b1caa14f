"""
Rooms are named with their site (`str(room)`): the pages whose filters or forms list every room answered
with one query per room (about 190 queries on the province data, issue 18). The count must not grow
with the number of rooms.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from sites.models import Room, Site

PAGES = ["/meetings/bookings/", "/meetings/bookings/policies/", "/meetings/bookings/series/", "/sites/equipment/"]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_rooms(n: int, start: int) -> None:
    site = Site.objects.order_by("pk").first()
    Room.objects.bulk_create([Room(code=f"extra-room-{start + i}", site=site, name=f"Phòng {i}") for i in range(n)])


@pytest.mark.django_db
def test_room_lists_do_not_query_per_room(demo, make_user):
    client = Client()
    client.force_login(make_user(Role.OFFICE_STAFF))
    add_rooms(2, 0)
    before = {url: queries(client, url) for url in PAGES}
    add_rooms(30, 100)
    after = {url: queries(client, url) for url in PAGES}
    assert after == before
