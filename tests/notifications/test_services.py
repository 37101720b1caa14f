"""notify(): one test per kind for preferences, email and rollback."""

import pytest
from django.core import mail
from django.db import transaction

from accounts.roles import Role
from notifications.choices import NotificationKind
from notifications.models import Notification, NotificationPreference
from notifications.services import notification_mark_all_read, notification_preferences_set, notify

KINDS = list(NotificationKind)


@pytest.fixture
def people(make_user):
    """Three officers: with an address, without one, and one who turned this kind's channels off."""
    return {
        "with_email": make_user(Role.OFFICE_STAFF, email="hoa@nuithanh.example"),
        "no_email": make_user(Role.TECHNICIAN, email=""),
        "opted_out": make_user(Role.LEADER, email="chu.tich@nuithanh.example"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=[k.value for k in KINDS])
def test_each_kind_respects_preferences_and_sends_email_after_commit(kind, people, django_capture_on_commit_callbacks):
    """In-app for everyone who wants it; email only with an address and email on; mail leaves on commit."""
    notification_preferences_set(user=people["opted_out"], choices={kind: (False, False)})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(
            recipients=people.values(), kind=kind, title="Biên bản phiên họp 14/11 chờ duyệt", url="/meetings/1/"
        )
        assert len(mail.outbox) == 0  # nothing leaves before commit
    assert {n.recipient for n in created} == {people["with_email"], people["no_email"]}
    assert Notification.objects.filter(kind=kind).count() == 2
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["hoa@nuithanh.example"]]
    assert mail.outbox[0].subject == "Biên bản phiên họp 14/11 chờ duyệt"
    assert "/meetings/1/" in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=[k.value for k in KINDS])
def test_each_kind_email_only_and_in_app_only(kind, people, django_capture_on_commit_callbacks):
    """Email off keeps the in-app row; in-app off still sends the email."""
    user = people["with_email"]
    notification_preferences_set(user=user, choices={kind: (True, False)})
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], kind=kind, title="A")
    assert Notification.objects.filter(recipient=user, kind=kind).count() == 1
    assert mail.outbox == []
    notification_preferences_set(user=user, choices={kind: (False, True)})
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], kind=kind, title="B")
    assert Notification.objects.filter(recipient=user, kind=kind).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS, ids=[k.value for k in KINDS])
def test_each_kind_nothing_is_sent_or_kept_on_rollback(kind, people, django_capture_on_commit_callbacks):
    """When the caller's transaction rolls back, there is neither a row nor an email."""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=people.values(), kind=kind, title="Phiên họp bị hủy")
        raise RuntimeError("the booking service failed after notifying")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_duplicates_and_inactive_users_are_skipped(make_user, django_assert_max_num_queries):
    active = make_user(Role.TECHNICIAN, email="")
    inactive = make_user(Role.TECHNICIAN, is_active=False)
    with django_assert_max_num_queries(4):  # savepoint, preferences, one bulk INSERT, release
        created = notify(recipients=[active, active, inactive], kind=NotificationKind.TASK_DUE, title="Hạn nộp")
    assert [n.recipient for n in created] == [active]


@pytest.mark.django_db
def test_preferences_update_in_place_and_mark_all_read(make_user):
    user = make_user(Role.TECHNICIAN)
    notification_preferences_set(user=user, choices={"camera_offline": (False, True)})
    notification_preferences_set(user=user, choices={"camera_offline": (True, True)})
    assert NotificationPreference.objects.get(user=user).in_app is True
    notify(recipients=[user], kind="camera_offline", title="Mất kết nối")
    notify(recipients=[user], kind="general", title="Thông báo")
    assert notification_mark_all_read(user=user) == 2
    assert notification_mark_all_read(user=user) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_links_must_stay_in_the_portal(make_user, url):
    with pytest.raises(ValueError, match="path in the portal"):
        notify(recipients=[make_user(Role.TECHNICIAN)], kind="general", title="x", url=url)


@pytest.mark.django_db
def test_recipients_are_the_roles_that_cover_the_unit(make_user, demo):
    from notifications.selectors import notification_recipients
    from sites.models import AdministrativeUnit

    tam_hai = AdministrativeUnit.objects.get(code="tam-hai")
    district_tech = make_user(Role.TECHNICIAN)
    tam_hai_tech = make_user(Role.TECHNICIAN, unit=tam_hai)
    other_tech = make_user(Role.TECHNICIAN, unit=AdministrativeUnit.objects.get(code="tam-giang"))
    make_user(Role.LEADER)
    make_user(Role.TECHNICIAN, is_active=False)
    assert set(notification_recipients(roles=[Role.TECHNICIAN], unit_id=tam_hai.pk)) == {district_tech, tam_hai_tech}
    assert set(notification_recipients(roles=[Role.TECHNICIAN])) == {district_tech, tam_hai_tech, other_tech}
