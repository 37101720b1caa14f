"""Meeting documents checked by content and size; the minutes PDF and the attendance XLSX."""

import io
import subprocess
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from PIL import Image

from common.exceptions import ApplicationError
from meetings.models import MeetingDocument
from meetings.services import briefings as services

from .conftest import invitation_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("to-trinh.pdf", PDF, "pdf"),
        ("bao-cao.docx", _docx(), "docx"),
        ("so-lieu.xlsx", _xlsx(), "xlsx"),
        ("so-do.PNG", _png(), "png"),
    ],
)
def test_accepted_documents_are_stored_under_media_root(api, meeting, office, settings, name, content, kind):
    response = api(office).post(
        "/api/meeting-documents/",
        {"meeting": meeting.pk, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    document = MeetingDocument.objects.get()
    assert (document.kind, document.size_bytes, document.original_name) == (kind, len(content), name)
    assert document.file.path.startswith(str(settings.MEDIA_ROOT))
    download = api(office).get(f"/api/meeting-documents/{document.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100, "not accepted"),  # an executable named .pdf
        ("to-trinh.docx", PDF, "does not match"),  # a PDF named .docx
        ("fake.xlsx", b"PK\x03\x04not really a zip", "not accepted"),
        ("notes.txt", b"plain text", "not accepted"),
    ],
)
def test_wrong_document_types_are_refused_and_nothing_is_stored(api, meeting, office, settings, name, content, message):
    response = api(office).post(
        "/api/meeting-documents/",
        {"meeting": meeting.pk, "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not MeetingDocument.objects.exists() and _stored_files(settings) == []


def test_too_large_documents_are_refused(api, meeting, office, settings):
    settings.BRIEFINGS_DOCUMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    response = api(office).post(
        "/api/meeting-documents/",
        {"meeting": meeting.pk, "file": SimpleUploadedFile("big.pdf", big)},
        format="multipart",
    )
    assert response.status_code == 400 and "too large" in response.json()["message"]
    assert not MeetingDocument.objects.exists() and _stored_files(settings) == []


def test_document_permissions(api, meeting, mountain_meeting, office, officer, make_user):
    from accounts.roles import Role

    upload = lambda m: {"meeting": m.pk, "file": SimpleUploadedFile("a.pdf", PDF)}  # noqa: E731
    assert api().post("/api/meeting-documents/", upload(meeting), format="multipart").status_code == 401
    assert api(officer).post("/api/meeting-documents/", upload(meeting), format="multipart").status_code == 403
    assert (
        api(make_user(Role.LEADER)).post("/api/meeting-documents/", upload(meeting), format="multipart").status_code
        == 403
    )
    own = services.meeting_document_add(meeting=meeting, user=office, upload=SimpleUploadedFile("a.pdf", PDF))
    other = services.meeting_document_add(
        meeting=mountain_meeting, user=office, upload=SimpleUploadedFile("b.pdf", PDF)
    )
    assert api(officer).get(f"/api/meeting-documents/{own.pk}/download/").status_code == 200
    assert api(officer).get(f"/api/meeting-documents/{other.pk}/download/").status_code == 404
    assert api(officer).get(f"/api/meeting-documents/{other.pk}/").status_code == 404


def test_service_refuses_a_renamed_image(meeting, office):
    with pytest.raises(ApplicationError):
        services.meeting_document_add(meeting=meeting, user=office, upload=SimpleUploadedFile("a.jpg", _png()))


def test_minutes_pdf_has_the_decree_30_layout_with_vietnamese_text(meeting, office, leader):
    services.task_create(
        meeting=meeting,
        unit=invitation_of(meeting, "tam-hai").bridge_point.room.site.unit,
        title="Kiểm tra tàu thuyền",
        due_on=timezone.localdate(meeting.starts_at),
        user=office,
    )
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_update(
        minutes=minutes, user=office, number="15/BB-UBND", recipients="Thường trực Huyện ủy\nLưu: VT"
    )
    services.minutes_submit(minutes=minutes, user=office)
    minutes = services.minutes_approve(minutes=minutes, user=leader)
    pdf = services.minutes_pdf(minutes=minutes)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "ỦY BAN NHÂN DÂN HUYỆN",
        "Số: 15/BB-UBND",
        "Núi Thành, ngày",
        "BIÊN BẢN",
        "Kiểm tra tàu thuyền",
        "CHỦ TRÌ",
        "Nơi nhận:",
    ):
        assert expected in text, expected
    assert "DỰ THẢO" not in text
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=False).stdout.decode()
    # One face for the whole document: Vietnamese letters must not fall back to another font.
    embedded = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    assert embedded and all(name.startswith("Minutes-Serif") for name in embedded), embedded


def test_versions_not_yet_approved_are_watermarked(meeting, office, leader):
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    assert "DỰ THẢO" in services.minutes_pdf_html(minutes=minutes)
    assert services.minutes_pdf(minutes=minutes).startswith(b"%PDF")
    services.minutes_submit(minutes=minutes, user=office)
    minutes = services.minutes_approve(minutes=minutes, user=leader)
    assert "DỰ THẢO" not in services.minutes_pdf_html(minutes=minutes)


def test_a_pdf_is_made_once_until_what_it_shows_changes(meeting, office, leader, monkeypatch):
    made = []
    render = services._minutes_pdf_render
    monkeypatch.setattr(services, "_minutes_pdf_render", lambda minutes: made.append(minutes.pk) or render(minutes))
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    first = services.minutes_pdf(minutes=minutes)
    assert services.minutes_pdf(minutes=minutes) == first and len(made) == 1  # the second came from the cache
    minutes = services.minutes_update(minutes=minutes, user=office, number="16/BB-UBND")
    assert services.minutes_pdf(minutes=minutes) != first and len(made) == 2
    task = services.task_create(
        meeting=meeting,
        unit=invitation_of(meeting, "tam-hai").bridge_point.room.site.unit,
        title="Báo cáo số tàu",
        due_on=timezone.localdate(meeting.starts_at),
        user=office,
    )
    with_task = services.minutes_pdf(minutes=minutes)
    assert len(made) == 3
    text = subprocess.run(["pdftotext", "-", "-"], input=with_task, capture_output=True, check=True).stdout.decode()
    assert "Báo cáo số tàu" in text
    services.task_complete(task=task, user=office)  # the task row changed: made again
    services.minutes_pdf(minutes=minutes)
    assert len(made) == 4


def test_approval_makes_the_pdf_ahead_in_the_worker(
    meeting, office, leader, monkeypatch, django_capture_on_commit_callbacks, eager_tasks
):
    made = []
    render = services._minutes_pdf_render
    monkeypatch.setattr(services, "_minutes_pdf_render", lambda minutes: made.append(minutes.pk) or render(minutes))
    minutes = services.minutes_draft_create(meeting=meeting, user=office)
    services.minutes_submit(minutes=minutes, user=office)
    with django_capture_on_commit_callbacks(execute=True):
        minutes = services.minutes_approve(minutes=minutes, user=leader)
    assert made == [minutes.pk]  # made by the task after commit
    minutes.refresh_from_db()
    assert services.minutes_pdf(minutes=minutes).startswith(b"%PDF") and made == [minutes.pk]


def test_vietnamese_date_line():
    from datetime import date

    assert services._vn_date(date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert services._vn_date(date(2026, 11, 23)) == "ngày 23 tháng 11 năm 2026"


def test_attendance_xlsx_lists_every_invited_site(meeting, office, officer):
    services.delegation_update(
        invitation=invitation_of(meeting, "tam-hai"),
        user=officer,
        expected_headcount=6,
        members=[services.MemberData("Võ Thị Lan", "Chủ tịch")],
    )
    book = load_workbook(io.BytesIO(services.attendance_xlsx(meeting=meeting, user=office)))
    rows = list(book.active.iter_rows(min_row=5, values_only=True))
    assert len(rows) == 17
    tam_hai = next(r for r in rows if r[0] == "UBND Tam Hải")
    assert tam_hai[3] == 6 and "Võ Thị Lan" in tam_hai[4]
    own_rows = list(
        load_workbook(io.BytesIO(services.attendance_xlsx(meeting=meeting, user=officer))).active.iter_rows(min_row=5)
    )
    assert len(own_rows) == 1
