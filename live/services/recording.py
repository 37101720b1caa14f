"""
Recording a briefing (b21): the room's recording options, the disk check before a start, turning
recording on in Janus, and the post-processing after the end.

Janus writes one .mjr file per stream of each publisher into the meeting's `raw` folder (the room's
`rec_dir`), named `videoroom-<room>-user-<participant id>-<microseconds>-<audio|video>[-<mindex>].mjr`.
A publisher that publishes again (a Janus restart, a reload) starts new files: one *segment* per
publish. After the meeting `recordings_process`:

1. converts each .mjr with `janus-pp-rec` (Opus → .opus, VP8/VP9 → .webm, H.264 → .mp4) and reads its
   header for the time of its first packet;
2. groups a site's streams into segments and muxes each segment's audio and video (`ffmpeg -c copy`,
   each stream shifted by its own start), then joins the segments in order into one file per site;
3. makes the **programme**: the chair's (host bridge point's) video on a black canvas of the whole
   meeting's length, each segment at its time, with every site's audio mixed (`amix`) at its time,
   encoded once to H.264/AAC MP4 (`+faststart`, so the browser plays it while it loads).

Everything is timed from the first packet of the meeting (`started_at` of the programme): the gaps
of a restart stay in the programme as black and silence, and the archive lists them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from common.locks import held_lock
from live.models import ParticipantState, Recording, VideoRoom
from live.services.janus import janus_client, room_secret
from meetings.models import Meeting

logger = logging.getLogger(__name__)

MJR_NAME = re.compile(
    r"^videoroom-(?P<room>\d+)-user-(?P<user>\d+)-(?P<ts>\d+)-(?P<kind>audio|video|data)(?:-(?P<mindex>\d+))?\.mjr$"
)
# Streams of one publisher whose files were created this close together belong to one publish.
SEGMENT_SLACK_US = 5_000_000
CONVERTED_EXT = {
    "opus": "opus",
    "vp8": "webm",
    "vp9": "webm",
    "av1": "webm",
    "h264": "mp4",
    "pcmu": "wav",
    "pcma": "wav",
}


class RecordingError(Exception):
    """A tool failed or the raw files make no recording; the message is stored on the row."""


#
# Where the files are
#


def meeting_folder(meeting_id: int) -> Path:
    return Path(settings.RECORDINGS_ROOT) / f"meeting-{meeting_id}"


def raw_folder(meeting_id: int) -> Path:
    """Janus's rec_dir for the meeting's room."""
    return meeting_folder(meeting_id) / "raw"


def room_record_options(room: VideoRoom) -> dict[str, Any]:
    """
    The room's recording options for its `create`: its folder when the meeting is to be recorded, and
    recording on only once the meeting is live (a room opened early for the test calls records
    nothing until the start, which turns it on: `recording_start`). `lock_record`: only the portal
    (with the room secret) turns it on or off, never a publisher.
    """
    meeting = room.meeting
    if not meeting.record:
        return {}
    folder = raw_folder(meeting.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return {"rec_dir": str(folder), "record": meeting.status == Meeting.Status.LIVE, "lock_record": True}


def is_recording(meeting: Meeting) -> bool:
    return meeting.record and meeting.status == Meeting.Status.LIVE


#
# Disk
#


def disk_free_bytes() -> int:
    """Free bytes on the disk of RECORDINGS_ROOT (or of its nearest existing parent)."""
    path = Path(settings.RECORDINGS_ROOT)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def low_disk_message() -> str | None:
    """None when a recording may start; otherwise why not, for the host (a clear warning, b21)."""
    free, need = disk_free_bytes(), settings.RECORDING_MIN_FREE_BYTES
    if free >= need:
        return None
    return _(
        "The recordings' disk has only %(free)s free (at least %(need)s is needed): this meeting cannot be "
        "recorded. Start it without recording? Ask the technician to free space for the next meetings."
    ) % {"free": filesizeformat(free), "need": filesizeformat(need)}


#
# During the meeting
#


def recording_start(*, meeting_id: int) -> None:
    """
    The meeting started: record its room if it already exists in Janus (opened early for the test
    calls). A room created after the start is created recording (`room_record_options`). Idempotent.
    Raises RoomNotFoundError while the room is not yet in Janus, for the task to try again.
    """
    room = VideoRoom.objects.select_related("server", "meeting").filter(meeting_id=meeting_id).first()
    if room is None or not is_recording(room.meeting) or room.status != VideoRoom.Status.ACTIVE:
        return
    raw_folder(meeting_id).mkdir(parents=True, exist_ok=True)
    with janus_client(room.server) as janus:
        janus.room_record(room.room_id, secret=room_secret(room.room_id), record=True)


#
# After the meeting
#


@dataclass
class Stream:
    path: Path
    user: int
    ts: int  # from the file name (µs)
    kind: str  # audio / video
    codec: str = ""
    first_us: int = 0  # the first packet (µs since the epoch)
    converted: Path | None = None


@dataclass
class Segment:
    user: int
    audio: Stream | None = None
    video: Stream | None = None
    start_us: int = 0
    duration: float = 0.0
    muxed: Path | None = None

    @property
    def streams(self) -> list[Stream]:
        return [s for s in (self.audio, self.video) if s is not None]


@dataclass
class Site:
    bridge_point_id: int
    segments: list[Segment] = field(default_factory=list)


def _run(args: list[str], *, timeout: float = 3600) -> str:
    """Run a tool at low priority (the live rooms' work on the same machine comes first); its output."""
    tool = Path(args[0]).name
    if settings.RECORDING_NICE:
        args = ["nice", "-n", str(settings.RECORDING_NICE), *args]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603 (our tools, our paths)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RecordingError(f"{tool}: {exc}") from exc
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RecordingError(f"{tool} failed ({done.returncode}): {' / '.join(tail)}")
    return done.stdout


def mjr_header(path: Path) -> dict[str, Any]:
    """The .mjr file's JSON header: `c` codec, `s` created and `u` first packet (µs since the epoch)."""
    out = _run([settings.JANUS_PP_REC, "-d", "0", "-j", str(path)], timeout=60)
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise RecordingError(f"no header in {path.name}")


def media_duration(path: Path) -> float:
    out = _run(
        [settings.FFPROBE, "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", str(path)],
        timeout=120,
    )
    try:
        return float(out.strip().splitlines()[0])
    except (IndexError, ValueError) as exc:
        raise RecordingError(f"no duration for {path.name}") from exc


def _streams(raw: Path, work: Path) -> list[Stream]:
    """Every audio and video .mjr of the folder, converted, with its codec and first packet time."""
    found = []
    for path in sorted(raw.glob("*.mjr")):
        match = MJR_NAME.match(path.name)
        if match is None or match["kind"] == "data":
            continue
        stream = Stream(path=path, user=int(match["user"]), ts=int(match["ts"]), kind=match["kind"])
        try:
            header = mjr_header(path)
        except RecordingError:
            logger.warning("recording: unreadable %s", path)
            continue
        stream.codec = str(header.get("c", "")).lower()
        stream.first_us = int(header.get("u") or header.get("s") or stream.ts)
        ext = CONVERTED_EXT.get(stream.codec)
        if ext is None:
            logger.warning("recording: %s has codec %r, left out", path.name, stream.codec)
            continue
        target = work / f"{path.stem}.{ext}"
        try:
            _run([settings.JANUS_PP_REC, "-d", "0", str(path), str(target)])
        except RecordingError:
            logger.warning("recording: %s has no media, left out", path.name)  # a publish with no packet
            continue
        if target.exists() and target.stat().st_size > 0:
            stream.converted = target
            found.append(stream)
    return found


def _segments(streams: list[Stream]) -> list[Segment]:
    """One segment per publish: a user's streams whose files were created together."""
    segments: list[Segment] = []
    for stream in sorted(streams, key=lambda s: (s.user, s.ts, s.kind)):
        last = segments[-1] if segments else None
        if last is None or last.user != stream.user or abs(stream.ts - last.streams[0].ts) > SEGMENT_SLACK_US:
            last = Segment(user=stream.user)
            segments.append(last)
        if getattr(last, stream.kind) is None:
            setattr(last, stream.kind, stream)
    for segment in segments:
        segment.start_us = min(s.first_us for s in segment.streams)
    return segments


def _mux_segment(segment: Segment, work: Path, index: int) -> None:
    """The segment's audio and video in one WebM, each shifted by its own start (no re-encoding)."""
    args = [settings.FFMPEG, "-nostdin", "-y", "-v", "error"]
    for stream in segment.streams:
        args += ["-itsoffset", f"{(stream.first_us - segment.start_us) / 1e6:.3f}", "-i", str(stream.converted)]
    for number in range(len(segment.streams)):
        args += ["-map", str(number)]
    target = work / f"segment-{segment.user}-{index}.webm"
    _run([*args, "-c", "copy", str(target)])
    segment.muxed = target
    segment.duration = media_duration(target)


def _join(parts: list[Path], target: Path, work: Path) -> None:
    if len(parts) == 1:
        shutil.move(parts[0], target)
        return
    listing = work / f"{target.stem}.txt"
    listing.write_text("".join(f"file '{part}'\n" for part in parts))
    _run(
        [
            settings.FFMPEG,
            "-nostdin",
            "-y",
            "-v",
            "error",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-c",
            "copy",
            str(target),
        ]
    )


def _programme(sites: list[Site], chair_id: int | None, t0: int, total: float, target: Path) -> None:
    """The chair's video on a black canvas of the meeting's length, with every site's audio mixed."""
    width, height = settings.RECORDING_PROGRAMME_SIZE.split("x")
    inputs: list[str] = []
    filters = [f"color=c=black:s={width}x{height}:r=25:d={total:.3f}[base0]"]
    base = "base0"
    audio: list[str] = []
    for site in sites:
        for segment in site.segments:
            offset = (segment.start_us - t0) / 1e6
            for stream in segment.streams:
                number = len(inputs) // 2
                if stream.kind == "video" and site.bridge_point_id != chair_id:
                    continue
                inputs += ["-i", str(stream.converted)]
                shift = offset + (stream.first_us - segment.start_us) / 1e6
                if stream.kind == "video":
                    filters.append(
                        f"[{number}:v]scale={width}:{height}:force_original_aspect_ratio=decrease,"
                        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=25,"
                        f"setpts=PTS-STARTPTS+{shift:.3f}/TB[v{number}]"
                    )
                    filters.append(f"[{base}][v{number}]overlay=eof_action=pass[b{number}]")
                    base = f"b{number}"
                else:
                    filters.append(
                        f"[{number}:a]aresample=48000,asetpts=PTS-STARTPTS,adelay={int(shift * 1000)}:all=1[a{number}]"
                    )
                    audio.append(f"[a{number}]")
    if audio:
        mix = "".join(audio) + (f"amix=inputs={len(audio)}:duration=longest:normalize=0," if len(audio) > 1 else "")
        filters.append(f"{mix}apad[aout]" if len(audio) > 1 else f"{audio[0]}apad[aout]")
    else:
        filters.append("anullsrc=r=48000:cl=stereo[aout]")
    args = [settings.FFMPEG, "-nostdin", "-y", "-v", "error", *inputs, "-filter_complex", ";".join(filters),
            "-map", f"[{base}]", "-map", "[aout]", "-t", f"{total:.3f}",
            "-c:v", "libx264", "-preset", settings.RECORDING_X264_PRESET, "-crf", "28", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(target)]  # fmt: skip
    _run(args, timeout=max(3600.0, total * 4))  # ~0.75x real time for 18 sites on 2 cores (bench/recording.py)


def _at(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1e6, tz=UTC)


def _segment_rows(segments: list[Segment], t0: int) -> list[dict[str, Any]]:
    return [
        {"started_at": _at(s.start_us).isoformat(), "offset": round((s.start_us - t0) / 1e6, 3),
         "duration": round(s.duration, 3)}
        for s in segments
    ]  # fmt: skip


def _merged(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stretches of the programme where something was recorded (overlapping segments merged)."""
    merged: list[dict[str, Any]] = []
    for seg in sorted(segments, key=lambda s: s["offset"]):
        if merged and seg["offset"] <= merged[-1]["offset"] + merged[-1]["duration"] + 0.5:
            last = merged[-1]
            last["duration"] = round(max(last["duration"], seg["offset"] + seg["duration"] - last["offset"]), 3)
        else:
            merged.append(dict(seg))
    return merged


def recording_queue(*, meeting_id: int) -> None:
    """After the room closed: a PENDING programme row (the archive says it is coming), then the task."""
    from live.tasks import recordings_process as task

    meeting = Meeting.objects.filter(pk=meeting_id, record=True).first()
    if meeting is None or not raw_folder(meeting_id).exists():
        return
    Recording.objects.get_or_create(meeting=meeting, kind=Recording.Kind.PROGRAMME, bridge_point=None)
    transaction.on_commit(lambda: task.delay(meeting_id=meeting_id))


def recordings_process(*, meeting_id: int) -> Recording | None:
    """
    Post-process a meeting's raw recording into the per-site files and the programme (see the module).
    Idempotent: a programme already READY (or deleted by retention) is left alone; a FAILED or
    interrupted one is made again from the raw files. Returns the programme row.
    """
    with held_lock(f"live:recording:{meeting_id}", ttl=60) as taken:
        if not taken:
            return None
        meeting = Meeting.objects.select_related("host_bridge_point").get(pk=meeting_id)
        programme, _created = Recording.objects.get_or_create(
            meeting=meeting, kind=Recording.Kind.PROGRAMME, bridge_point=None
        )
        if programme.status in (Recording.Status.READY, Recording.Status.DELETED):
            return programme
        Recording.objects.filter(pk=programme.pk).update(status=Recording.Status.PROCESSING, error="")
        folder, raw = meeting_folder(meeting_id), raw_folder(meeting_id)
        work = folder / "work"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        try:
            _process(meeting, programme, folder, raw, work)
        except RecordingError as exc:
            logger.warning("recording of meeting %s failed: %s", meeting_id, exc)
            Recording.objects.filter(pk=programme.pk).update(status=Recording.Status.FAILED, error=str(exc)[:2000])
            programme.refresh_from_db()
            return programme
        except BaseException as exc:  # the task's time limit, a bug: never left "processing"
            Recording.objects.filter(pk=programme.pk).update(
                status=Recording.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if not settings.RECORDING_KEEP_RAW:
            shutil.rmtree(raw, ignore_errors=True)
        programme.refresh_from_db()
        return programme


def _process(meeting: Meeting, programme: Recording, folder: Path, raw: Path, work: Path) -> None:
    started = time.monotonic()
    segments = _segments(_streams(raw, work))
    # Whose participant id is whose: a site's publisher id (its screen share is left out).
    owners = dict(
        ParticipantState.objects.filter(video_room__meeting=meeting, bridge_point__isnull=False).values_list(
            "janus_id", "bridge_point_id"
        )
    )
    sites: dict[int, Site] = {}
    for segment in segments:
        bridge_point_id = owners.get(segment.user)
        if bridge_point_id is None:
            logger.info("recording: participant %s of meeting %s is no site, left out", segment.user, meeting.pk)
            continue
        sites.setdefault(bridge_point_id, Site(bridge_point_id)).segments.append(segment)
    if not sites:
        raise RecordingError(_("Nothing was recorded: no site published audio or video."))
    for site in sites.values():
        site.segments.sort(key=lambda s: s.start_us)
        for index, segment in enumerate(site.segments):
            _mux_segment(segment, work, index)
    all_segments = [s for site in sites.values() for s in site.segments]
    t0 = min(s.start_us for s in all_segments)
    total = max((s.start_us - t0) / 1e6 + s.duration for s in all_segments)
    rows = []
    for site in sites.values():
        name = f"site-{site.bridge_point_id}.webm"
        _join([s.muxed for s in site.segments if s.muxed], folder / name, work)
        seg_rows = _segment_rows(site.segments, t0)
        rows.append(
            Recording(
                meeting=meeting,
                kind=Recording.Kind.SITE,
                bridge_point_id=site.bridge_point_id,
                status=Recording.Status.READY,
                path=f"{folder.name}/{name}",
                duration_seconds=round(media_duration(folder / name), 3),
                size_bytes=(folder / name).stat().st_size,
                started_at=_at(site.segments[0].start_us),
                segments=seg_rows,
                processed_at=timezone.now(),
            )
        )
    chair = meeting.host_bridge_point_id if meeting.host_bridge_point_id in sites else None
    target = folder / "programme.mp4"
    _programme(list(sites.values()), chair, t0, total, target)
    duration = media_duration(target)
    with transaction.atomic():
        Recording.objects.filter(meeting=meeting, kind=Recording.Kind.SITE).delete()
        Recording.objects.bulk_create(rows)
        Recording.objects.filter(pk=programme.pk).update(
            status=Recording.Status.READY,
            error="",
            path=f"{folder.name}/{target.name}",
            duration_seconds=round(duration, 3),
            size_bytes=target.stat().st_size,
            started_at=_at(t0),
            segments=_merged([row for r in rows for row in r.segments]),
            processed_at=timezone.now(),
            updated_at=timezone.now(),
        )
    logger.info(
        "recording of meeting %s: %d sites, %.1f s recorded, processed in %.1f s",
        meeting.pk, len(sites), total, time.monotonic() - started,
    )  # fmt: skip


def file_delete(recording: Recording) -> None:
    """Remove a recording's file (retention); the row stays, DELETED, as the archive's trace."""
    path = recording.file_path
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def seconds_between(start: datetime, end: datetime) -> float:
    return (end - start) / timedelta(seconds=1)
