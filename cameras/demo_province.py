"""
Province-scale cameras (`manage.py seed_demo --scale province`): 10,000 cameras over the province's
sites, with a month of health history (outages: most cameras had none, some one to three, a few are
down now). Bulk rows, no notices; a second run changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from cameras.choices import CameraStatus, CameraType, Health, Placement
from cameras.models import Camera, CameraOutage
from sites.models import Site

CAMERAS = 10_000
PLACEMENTS = [Placement.CORRIDOR, Placement.STAIRWAY, Placement.GATE, Placement.HALL, Placement.YARD]
TYPES = [CameraType.FISHEYE_360, CameraType.BULLET, CameraType.DOME, CameraType.BULLET, CameraType.PTZ]


def load(progress: Callable[..., object]) -> None:
    if Camera.objects.filter(code=f"prov-cam-{CAMERAS:05d}").exists():
        return
    rng = random.Random(2027)
    now = timezone.now()
    month_ago = now - timedelta(days=30)
    sites = list(Site.objects.filter(code__startswith="prov-d").order_by("code").values_list("pk", flat=True))
    bar = progress(total=CAMERAS, desc="cameras")
    with transaction.atomic():
        for start in range(1, CAMERAS + 1, 1000):
            cameras = []
            for n in range(start, min(start + 1000, CAMERAS + 1)):
                down_now = n % 97 == 0
                cameras.append(
                    Camera(
                        code=f"prov-cam-{n:05d}",
                        name=f"Ca-mê-ra {n}",
                        site_id=sites[n % len(sites)],
                        floor=1 + n % 3,
                        placement=PLACEMENTS[n % len(PLACEMENTS)],
                        camera_type=TYPES[n % len(TYPES)],
                        model="IPC-360" if TYPES[n % len(TYPES)] == CameraType.FISHEYE_360 else "IPC-B2",
                        serial=f"CAM{n:06d}",
                        install_date=date(2020, 1, 1) + timedelta(days=n % 1800),
                        cost_vnd=rng.randint(20, 120) * 100_000,
                        status=CameraStatus.FAULTY if n % 211 == 0 else CameraStatus.IN_SERVICE,
                        health=Health.OFFLINE if down_now else Health.ONLINE,
                        health_changed_at=now - timedelta(hours=n % 48),
                        last_probe_at=now - timedelta(minutes=n % 5),
                        last_seen_at=now - timedelta(hours=n % 48) if down_now else now - timedelta(minutes=n % 5),
                        monitored_since=month_ago - timedelta(days=30),
                    )
                )
            Camera.objects.bulk_create(cameras, ignore_conflicts=True)
            codes = [c.code for c in cameras]
            created = list(Camera.objects.filter(code__in=codes).values_list("pk", "code", "health"))
            outages = []
            for pk, code, health in created:
                n = int(code.rsplit("-", 1)[1])
                for k in range(n % 4 if n % 3 == 0 else 0):  # a third of the cameras had up to three outages
                    started = month_ago + timedelta(days=7 * k + rng.random() * 6)
                    outages.append(
                        CameraOutage(
                            camera_id=pk,
                            started_at=started,
                            ended_at=started + timedelta(minutes=rng.randint(5, 600)),
                            last_error="timeout",
                        )
                    )
                if health == Health.OFFLINE:
                    outages.append(
                        CameraOutage(camera_id=pk, started_at=now - timedelta(hours=n % 48), last_error="no route")
                    )
            CameraOutage.objects.bulk_create(outages)
            bar.update(len(cameras))
    bar.close()
