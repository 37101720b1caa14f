"""
Camera passwords: encrypted at rest (the raw column and the history table never hold the
plaintext), never shown in full by the API, a page or an export, and changed only by technicians.
"""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from cameras.imports import CameraImportSpec
from cameras.models import Camera
from common.fields import FieldDecryptionError, decrypt, encrypt
from common.imports import export_csv, export_xlsx
from tests.cameras.factories import CameraFactory

pytestmark = pytest.mark.django_db

SECRET = "Camera-Pa55-Ñ-secret"


def _raw_password(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM cameras_camera WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_raw_column_holds_a_token_not_the_plaintext():
    camera = CameraFactory(password=SECRET)
    raw = _raw_password(camera.pk)
    assert SECRET not in raw and raw.startswith("gAAAAA")
    assert decrypt(raw) == SECRET
    assert Camera.objects.get(pk=camera.pk).password == SECRET
    # Same plaintext, different tokens (Fernet has a random IV): equal passwords are not revealed.
    other = CameraFactory(password=SECRET)
    assert _raw_password(other.pk) != raw
    # The history table has no password column at all.
    history_columns = [
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), Camera.history.model._meta.db_table
        )
    ]
    assert "password" not in history_columns


def test_empty_password_stays_empty():
    camera = CameraFactory(password="")
    assert _raw_password(camera.pk) == ""


def test_key_rotation_and_wrong_key(settings):
    token = encrypt("old")
    settings.FIELD_ENCRYPTION_KEY = "a brand new passphrase," + settings.FIELD_ENCRYPTION_KEY
    assert decrypt(token) == "old"  # old key still listed
    assert encrypt("x") != token
    settings.FIELD_ENCRYPTION_KEY = "only an unrelated key"
    with pytest.raises(FieldDecryptionError) as info:
        decrypt(token)
    assert "old" not in str(info.value)


def test_api_never_returns_the_password(api, make_user):
    camera = CameraFactory(password=SECRET)
    client = api(make_user(Role.TECHNICIAN))
    detail = client.get(f"/api/cameras/{camera.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert SECRET not in body and "password" not in detail.json()
    assert detail.json()["has_password"] is True
    assert SECRET not in client.get("/api/cameras/").content.decode()
    assert SECRET not in client.get(f"/api/cameras/{camera.pk}/history/").content.decode()


def test_pages_show_the_password_masked(client, make_user):
    camera = CameraFactory(password=SECRET)
    client.force_login(make_user(Role.TECHNICIAN))
    detail = client.get(reverse("cameras:camera_detail", args=[camera.pk]))
    assert detail.status_code == 200
    assert SECRET not in detail.content.decode() and "••••••••" in detail.content.decode()
    edit = client.get(reverse("cameras:camera_edit", args=[camera.pk]))
    assert SECRET not in edit.content.decode()
    assert 'name="new_password"' in edit.content.decode()


def test_exports_leave_the_password_out(make_user):
    CameraFactory(password=SECRET)
    spec = CameraImportSpec(make_user(Role.TECHNICIAN))
    assert "password" not in spec.columns
    assert SECRET.encode() not in export_csv(spec)
    assert SECRET.encode() not in export_xlsx(spec)


def test_only_technicians_change_the_password(api, make_user):
    camera = CameraFactory(password=SECRET)
    for role in (Role.COMMUNE_OFFICER, Role.POLICE_OPERATOR):
        response = api(make_user(role)).patch(f"/api/cameras/{camera.pk}/", {"password": "hijack"}, format="json")
        assert response.status_code == 403
    # A user who may edit cameras but lacks the technician's password right is refused too.
    from django.contrib.auth.models import Permission

    editor = make_user(Role.COMMUNE_OFFICER, unit=camera.site.unit)
    editor.user_permissions.add(Permission.objects.get(codename="change_camera"))
    response = api(editor).patch(f"/api/cameras/{camera.pk}/", {"password": "hijack"}, format="json")
    assert response.status_code == 403 and response.json()["message"]
    assert api(editor).patch(f"/api/cameras/{camera.pk}/", {"name": "Cổng"}, format="json").status_code == 200
    camera.refresh_from_db()
    assert camera.password == SECRET and camera.password_changed_at is None
    technician = make_user(Role.TECHNICIAN)
    response = api(technician).patch(f"/api/cameras/{camera.pk}/", {"password": "New-Pa55"}, format="json")
    assert response.status_code == 200, response.json()
    camera.refresh_from_db()
    assert camera.password == "New-Pa55" and camera.password_changed_at is not None
    # The history records that it changed, and by whom, but not the value.
    history = api(technician).get(f"/api/cameras/{camera.pk}/history/").json()
    assert history[0]["history_user"] == technician.username
    assert set(history[0]["changes"]) == {"password_changed_at"}
    assert "New-Pa55" not in str(history)


def test_commune_officer_edits_without_the_password_box(client, make_user):
    """An officer who may edit cameras gets no password field, and saving keeps the password."""
    from django.contrib.auth.models import Permission

    camera = CameraFactory(password=SECRET)
    officer = make_user(Role.COMMUNE_OFFICER, unit=camera.site.unit)
    officer.user_permissions.add(Permission.objects.get(codename="change_camera"))
    client.force_login(officer)
    page = client.get(reverse("cameras:camera_edit", args=[camera.pk]))
    assert page.status_code == 200 and 'name="new_password"' not in page.content.decode()
    data = {
        "code": camera.code,
        "site": camera.site_id,
        "floor": 1,
        "placement": "corridor",
        "camera_type": "dome",
        "status": "in_service",
        "new_password": "ignored",
    }
    response = client.post(reverse("cameras:camera_edit", args=[camera.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    camera.refresh_from_db()
    assert camera.camera_type == "dome" and camera.password == SECRET


def test_admin_change_page_has_no_password(client, make_user):
    camera = CameraFactory(password=SECRET)
    client.force_login(make_user(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    page = client.get(f"/admin/cameras/camera/{camera.pk}/change/")
    assert page.status_code == 200 and SECRET not in page.content.decode()
    assert 'name="password"' not in page.content.decode()
