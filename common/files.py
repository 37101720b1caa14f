"""
Uploaded files are served only by views that check access first (`serve_protected`): `MEDIA_ROOT` is
never served under `MEDIA_URL`, in no run mode, so knowing a file's path gives nothing.

In production the web server can send the file after the check: with `PROTECTED_MEDIA_SERVER` =
"nginx" the response carries `X-Accel-Redirect: <PROTECTED_MEDIA_PREFIX><path>` (an `internal`
location aliased to MEDIA_ROOT); with "sendfile" (Apache mod_xsendfile, lighttpd) it carries
`X-Sendfile: <absolute path>`. Empty (the default): Django streams the file itself.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.encoding import iri_to_uri


def serve_protected(file: FieldFile, *, filename: str) -> HttpResponse:
    """The file as an attachment named `filename`; the caller has checked the user may have it."""
    server = settings.PROTECTED_MEDIA_SERVER
    if not server:
        return FileResponse(file.open("rb"), as_attachment=True, filename=filename)
    response = HttpResponse(content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    if server == "nginx":
        response["X-Accel-Redirect"] = iri_to_uri(settings.PROTECTED_MEDIA_PREFIX + quote(file.name))
    elif server == "sendfile":
        response["X-Sendfile"] = file.path
    else:
        raise ValueError(f"PROTECTED_MEDIA_SERVER must be '', 'nginx' or 'sendfile', not {server!r}")
    return response
