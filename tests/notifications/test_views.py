"""Pages and API of one's own notifications: the permission triad, the bell, marking read."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from notifications.choices import NotificationKind
from notifications.models import Notification
from notifications.services import notify


@pytest.fixture
def officer(make_user):
    return make_user(Role.COMMUNE_OFFICER)


@pytest.fixture
def their_notification(make_user):
    other = make_user(Role.COMMUNE_OFFICER)
    return notify(recipients=[other], kind=NotificationKind.DELEGATION_TO_CONFIRM, title="Xác nhận thành phần")[0]


PAGES = ["notifications:notification_list", "notifications:preferences"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_pages_triad(client, make_user, officer, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(make_user(None))  # no role: no notifications
    assert client.get(url).status_code == 403
    client.force_login(officer)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_mark_read_triad_and_redirect(client, make_user, officer, their_notification):
    mine = notify(recipients=[officer], kind="booking_to_approve", title="Duyệt đặt phòng", url="/sites/")[0]
    url = reverse("notifications:notification_read", args=[mine.pk])
    assert client.post(url).status_code == 302  # to the login page
    mine.refresh_from_db()
    assert mine.read_at is None
    client.force_login(make_user(None))
    assert client.post(url).status_code == 403
    client.force_login(officer)
    other = reverse("notifications:notification_read", args=[their_notification.pk])
    assert client.post(other).status_code == 404
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/sites/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    # Only local links are followed.
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:notification_list")


@pytest.mark.django_db
def test_mark_all_read_touches_only_own(client, officer, their_notification):
    notify(recipients=[officer], kind="task_due", title="Nhiệm vụ sắp đến hạn")
    client.force_login(officer)
    assert client.post(reverse("notifications:notification_read_all")).status_code == 302
    assert not Notification.objects.filter(recipient=officer, read_at__isnull=True).exists()
    their_notification.refresh_from_db()
    assert their_notification.read_at is None


@pytest.mark.django_db
def test_list_shows_only_own_and_unread_filter(client, officer, their_notification):
    notify(recipients=[officer], kind="minutes_to_approve", title="Biên bản chờ duyệt")
    client.force_login(officer)
    page = client.get(reverse("notifications:notification_list")).content.decode()
    assert "Biên bản chờ duyệt" in page and "Xác nhận thành phần" not in page
    Notification.objects.filter(recipient=officer).update(read_at="2026-01-01T00:00:00Z")
    assert (
        "Biên bản chờ duyệt"
        not in client.get(reverse("notifications:notification_list") + "?unread=1").content.decode()
    )


@pytest.mark.django_db
def test_preferences_page_saves_switches(client, officer):
    client.force_login(officer)
    data = {f"{k}-in_app": "on" for k in NotificationKind.values}
    data |= {f"{k}-email": "on" for k in NotificationKind.values if k != "camera_offline"}
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    pref = officer.notification_preferences.get(kind="camera_offline")
    assert pref.in_app and not pref.email
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="camera_offline-email"' in page


@pytest.mark.django_db
def test_bell_shows_unread_count_in_one_query(client, officer):
    """The bell costs exactly one COUNT per page, whatever the number of notifications."""
    client.force_login(officer)
    url = reverse("search")
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(3):
        notify(recipients=[officer], kind="general", title=f"Tin {n}")
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert 'data-unread="3"' in page.content.decode()
    assert len(after) == len(before)
    assert sum("notifications_notification" in q["sql"] for q in after.captured_queries) == 1


@pytest.mark.django_db
def test_api_triad_list_and_mark_read(api, make_user, officer, their_notification):
    mine = notify(recipients=[officer], kind="camera_offline", title="Ca-mê-ra mất kết nối")[0]
    assert api(None).get("/api/notifications/").status_code == 401
    assert api(make_user(None)).get("/api/notifications/").status_code == 403
    client = api(officer)
    body = client.get("/api/notifications/").json()
    assert [n["id"] for n in body["results"]] == [mine.pk]
    assert client.get(f"/api/notifications/{their_notification.pk}/").status_code == 404
    assert client.post(f"/api/notifications/{their_notification.pk}/read/").status_code == 404
    response = client.post(f"/api/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.get("/api/notifications/?unread=1").json()["results"] == []
    assert client.post("/api/notifications/read-all/").json() == {"marked": 0}
    assert api(None).post("/api/notifications/read-all/").status_code == 401
