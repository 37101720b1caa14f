"""
Uploaded files are served only by views that check access first (`serve_protected`): `MEDIA_ROOT` is
never served under `MEDIA_URL`, in no run mode, so knowing a file's path gives nothing.

In production the web server can send the file after the check: with `PROTECTED_MEDIA_SERVER` =
"nginx" the response carries `X-Accel-Redirect: <PROTECTED_MEDIA_PREFIX><path>` (an `internal`
location aliased to MEDIA_ROOT); with "sendfile" (Apache mod_xsendfile, lighttpd) it carries
`X-Sendfile: <absolute path>`. Empty (the default): Django streams the file itself.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.encoding import iri_to_uri
from django.utils.http import http_date


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


#
# Files sent with HTTP Range (the recordings' video players seek with it)
#

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """
    The (first, last) bytes a `Range` header asks for, or None to send the whole file (no header, a
    unit other than bytes, several ranges, a malformed one: RFC 9110 §14.2 lets a server ignore them),
    or False when the range is unsatisfiable (it starts past the end: 416).
    """
    match = _RANGE.match((header or "").strip())
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        return False
    return start, min(end, size - 1)


def _file_chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


async def _file_chunks_async(path: Path, start: int, length: int) -> AsyncIterator[bytes]:
    """`_file_chunks` for the ASGI server, which reads a synchronous iterator whole before sending any."""
    file = await asyncio.to_thread(path.open, "rb")
    try:
        await asyncio.to_thread(file.seek, start)
        while length > 0:
            chunk = await asyncio.to_thread(file.read, min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk
    finally:
        await asyncio.to_thread(file.close)


def file_body(request: HttpRequest, path: Path, start: int, length: int) -> Iterator[bytes] | AsyncIterator[bytes]:
    """
    `length` bytes of `path` from `start`, a chunk at a time. Under ASGI an asynchronous iterator:
    Django's ASGI handler turns a synchronous one into a list first, so a recording of an hour would
    sit whole in the server's memory before its first byte left.
    """
    if isinstance(request, ASGIRequest):
        return _file_chunks_async(path, start, length)
    return _file_chunks(path, start, length)


def serve_ranged(
    request: HttpRequest,
    path: Path,
    *,
    relative: str,
    content_type: str,
    filename: str,
    as_attachment: bool = False,
) -> HttpResponseBase:
    """
    A file under RECORDINGS_ROOT (`relative` to it) for a user the caller has checked, with HTTP Range:
    206 and its Content-Range for one byte range, 416 for a range past the end, 200 otherwise. An
    `If-Range` that no longer matches (the file changed) gets the whole file. With
    PROTECTED_MEDIA_SERVER the web server sends it (and answers the ranges itself).
    """
    disposition = "attachment" if as_attachment else "inline"
    server = settings.PROTECTED_MEDIA_SERVER
    if server:
        response = HttpResponse(content_type=content_type)
        response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
        if server == "nginx":
            response["X-Accel-Redirect"] = iri_to_uri(settings.PROTECTED_RECORDINGS_PREFIX + quote(relative))
        elif server == "sendfile":
            response["X-Sendfile"] = str(path)
        else:
            raise ValueError(f"PROTECTED_MEDIA_SERVER must be '', 'nginx' or 'sendfile', not {server!r}")
        return response
    stat = path.stat()
    size = stat.st_size
    etag = f'"{size:x}-{int(stat.st_mtime):x}"'
    modified = http_date(stat.st_mtime)
    wanted = byte_range(request.headers.get("Range"), size)
    if_range = request.headers.get("If-Range")
    if wanted is not None and if_range and if_range.strip() not in (etag, modified):
        wanted = None
    response: HttpResponseBase
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = StreamingHttpResponse(file_body(request, path, 0, size), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        response = StreamingHttpResponse(
            file_body(request, path, start, end - start + 1), status=206, content_type=content_type
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = modified
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    # Private: the file is only for users the portal let through; no shared cache keeps it.
    response["Cache-Control"] = "private, max-age=3600"
    return response
