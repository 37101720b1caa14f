"""
Post-processing cost of a briefing's recording (b21): how long the portal's recording service takes
per recorded minute, as a multiple of real time, and the disk it fills per hour, for N sites.

The sites' streams are made once with ffmpeg as Janus's converted files look (VP8 640x480 25 fps at
the site bitrate in WebM, Opus 48 kHz mono) and copied for every site; then the service's own steps
run on them, timed: each site's audio and video muxed (no re-encoding) and the programme (the chair's
video scaled to RECORDING_PROGRAMME_SIZE with every site's audio mixed, x264 + AAC). `janus-pp-rec`
(a remux of the .mjr into those files) is timed separately on the .mjr of a real recording when
`--mjr DIR` is given (e.g. a meeting's raw folder kept with RECORDING_KEEP_RAW=1).

    .venv/bin/python bench/recording.py [--sites 18] [--seconds 60] [--size 1280x720] [--preset veryfast]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=18)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--video-kbps", type=int, default=600)
    parser.add_argument("--mjr", type=Path, help="time janus-pp-rec on the .mjr files of this folder")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    import django
    from django.conf import settings

    django.setup()
    settings.RECORDING_PROGRAMME_SIZE, settings.RECORDING_X264_PRESET = args.size, args.preset
    from live.services import recording as rec

    work = Path(tempfile.mkdtemp(prefix="bench-recording-"))
    try:
        video, audio = work / "video.webm", work / "audio.opus"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
             f"testsrc2=size=640x480:rate=25:d={args.seconds}", "-c:v", "libvpx", "-deadline", "realtime",
             "-cpu-used", "8", "-b:v", f"{args.video_kbps}k", str(video)],
            check=True,
        )  # fmt: skip
        subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
             f"sine=frequency=440:sample_rate=48000:d={args.seconds}", "-ac", "1", "-c:a", "libopus", "-b:a", "32k",
             str(audio)],
            check=True,
        )  # fmt: skip
        start = 1_700_000_000_000_000
        sites = []
        for n in range(args.sites):
            streams = []
            for kind, source in (("audio", audio), ("video", video)):
                copy = work / f"site{n}-{kind}{source.suffix}"
                shutil.copy(source, copy)
                streams.append(rec.Stream(path=copy, user=n, ts=start, kind=kind, first_us=start, converted=copy))
            segment = rec.Segment(user=n, audio=streams[0], video=streams[1], start_us=start)
            sites.append(rec.Site(bridge_point_id=n, segments=[segment]))
        out = work / "out"
        out.mkdir()

        began = time.perf_counter()
        for site in sites:
            rec._mux_segment(site.segments[0], work, 0)
            rec._join([site.segments[0].muxed], out / f"site-{site.bridge_point_id}.webm", work)
        muxed = time.perf_counter() - began
        began = time.perf_counter()
        programme = out / "programme.mp4"
        rec._programme(sites, 0, start, float(args.seconds), programme)
        mixed = time.perf_counter() - began

        minutes = args.seconds / 60
        site_bytes = sum(f.stat().st_size for f in out.glob("site-*.webm"))
        per_hour = 3600 / args.seconds
        print(f"sites={args.sites} recorded={args.seconds}s programme={args.size} preset={args.preset} "
              f"cpus={os.cpu_count()}")  # fmt: skip
        print(f"site files (mux, no re-encoding): {muxed:.1f} s = {muxed / minutes:.1f} s per recorded minute "
              f"({muxed / args.seconds:.3f}x real time)")  # fmt: skip
        print(f"programme (scale + amix of {args.sites} + x264/AAC): {mixed:.1f} s = {mixed / minutes:.1f} s per "
              f"recorded minute ({mixed / args.seconds:.3f}x real time)")  # fmt: skip
        total = muxed + mixed
        print(f"total: {total / args.seconds:.3f}x real time; a 2-hour briefing ≈ {total / args.seconds * 120:.0f} min")
        print(f"disk per hour: sites {site_bytes * per_hour / 1e9:.2f} GB + programme "
              f"{programme.stat().st_size * per_hour / 1e9:.2f} GB "
              f"(+ the same as the sites again for the raw .mjr while processing)")  # fmt: skip
        if args.mjr:
            files = sorted(args.mjr.glob("*.mjr"))
            began = time.perf_counter()
            for file in files:
                ext = rec.CONVERTED_EXT.get(str(rec.mjr_header(file).get("c", "")).lower())
                if ext:
                    subprocess.run([settings.JANUS_PP_REC, "-d", "0", str(file), str(work / f"{file.stem}.{ext}")])
            print(f"janus-pp-rec: {len(files)} files in {time.perf_counter() - began:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
