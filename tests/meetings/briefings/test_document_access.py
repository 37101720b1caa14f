"""
Uploaded meeting documents (issue 15) are served only by the access-checked download views: never
under /media/, not even in the DEBUG run mode; the web server can send them (X-Accel-Redirect,
X-Sendfile) after the check.
"""

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from meetings.models import MeetingDocument

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def document(api, meeting, office):
    response = api(office).post(
        "/api/meeting-documents/",
        {"meeting": meeting.pk, "file": SimpleUploadedFile("to-trinh.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return MeetingDocument.objects.get()


@pytest.fixture
def debug_urls(settings):
    """The URLs as the run mode (DEBUG on) builds them."""
    import portal.urls

    settings.DEBUG = True
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(portal.urls)
    clear_url_caches()


def test_media_is_not_served_even_in_the_debug_run_mode(client, document, office, debug_urls):
    path = "/media/" + document.file.name
    assert client.get(path).status_code == 404
    client.force_login(office)
    assert client.get(path).status_code == 404


def test_the_download_views_check_access(client, api, document, office, meeting):
    url = reverse("meetings:meetingdocument_download", args=[meeting.pk, document.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert api(None).get(f"/api/meeting-documents/{document.pk}/download/").status_code == 401
    client.force_login(office)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_the_web_server_can_send_the_file_after_the_check(client, document, office, meeting, settings):
    client.force_login(office)
    url = reverse("meetings:meetingdocument_download", args=[meeting.pk, document.pk])
    settings.PROTECTED_MEDIA_SERVER = "nginx"
    response = client.get(url)
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == "/protected-media/" + document.file.name
    assert "to-trinh.pdf" in response["Content-Disposition"]
    settings.PROTECTED_MEDIA_SERVER = "sendfile"
    response = client.get(url)
    assert response["X-Sendfile"] == document.file.path
    client.logout()
    assert client.get(url).status_code == 302
