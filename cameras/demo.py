"""
Demo cameras (DOMAIN.md): the district CCTV installed in 2016 at UBND huyện, the Huyện ủy hall and
the district police, 87 cameras on two police-operated NVRs, of which 10 are faulty ("77 of 87
working" in 2021); Tam Giang's 1 server and 7 cameras; coverage templates per site kind.

No demo camera points at a real host, and none is probed over the network by default:
- The district's 87 cameras use TEST-NET-1 addresses (192.0.2.0/24, RFC 5737, never routed) and
  are loaded in maintenance mode ("under the 2021 repair programme"), so the sweep skips them; their
  health is seeded once so the dashboard reads like the district's real figures.
- Tam Giang's 7 cameras are monitored and point at 127.0.0.1 ports 18554-18560. Nothing listens
  there, so each probe is one refused loopback connection per minute (no traffic leaves the
  machine) and they go offline after N sweeps, raising live alerts. `manage.py camera_simulator`
  answers on those ports and brings them back online: the whole alert cycle on one machine.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from cameras.choices import AlertKind, CameraStatus, CameraType, Health, Placement, RecorderKind
from cameras.models import (
    Camera,
    CameraAlert,
    CameraIncident,
    CameraOutage,
    CoverageTemplate,
    Recorder,
    ZoneRequirement,
)
from common.demo import upsert
from sites.choices import SiteKind
from sites.models import Site

TAM_GIANG_PORTS = range(18554, 18561)
# Demo data is Vietnamese text, not UI strings: names do not change with the reader's language.
PLACEMENT_NAMES = {
    "corridor": "Hành lang",
    "stairway": "Cầu thang",
    "gate": "Cổng",
    "hall": "Hội trường",
    "yard": "Sân",
    "other": "Khác",
}
POLICE = "Công an huyện Núi Thành"

# site code → (floors, [(floor, placement, type), ...]) for the 2016 district system.
T360, BULLET, DOME, PTZ = CameraType.FISHEYE_360, CameraType.BULLET, CameraType.DOME, CameraType.PTZ
C, S, G, H, Y, OTHER = (
    Placement.CORRIDOR,
    Placement.STAIRWAY,
    Placement.GATE,
    Placement.HALL,
    Placement.YARD,
    Placement.OTHER,
)


def _district_layout() -> list[tuple[str, int, str, str]]:
    """(site code, floor, placement, type) of the 87 district cameras, in a fixed order."""
    layout: list[tuple[str, int, str, str]] = []
    # UBND huyện: 3 floors. Corridors by bullets (2016), 360° only on floor 1; floor 3's stairway bare.
    for floor in (1, 2, 3):
        layout += [("ubnd-huyen-nui-thanh", floor, C, T360 if floor == 1 else BULLET)] * 3
        layout += [("ubnd-huyen-nui-thanh", floor, H, DOME)] * 2
        if floor < 3:
            layout += [("ubnd-huyen-nui-thanh", floor, S, DOME)] * 2
        layout += [("ubnd-huyen-nui-thanh", floor, OTHER, DOME)] * 3
    layout += [("ubnd-huyen-nui-thanh", 1, G, BULLET)] * 2 + [("ubnd-huyen-nui-thanh", 1, Y, PTZ)] * 1
    # Huyện ủy hall: 2 floors, the big hall with PTZs; corridors 360° on both floors.
    for floor in (1, 2):
        layout += [("hoi-truong-huyen-uy", floor, C, T360)] * 3
        layout += [("hoi-truong-huyen-uy", floor, S, DOME if floor == 1 else BULLET)] * 2
        layout += [("hoi-truong-huyen-uy", floor, H, PTZ)] * 4
        layout += [("hoi-truong-huyen-uy", floor, OTHER, DOME)] * 4
    layout += [("hoi-truong-huyen-uy", 1, G, BULLET)] * 2 + [("hoi-truong-huyen-uy", 1, Y, BULLET)] * 3
    # District police: the rest, gates and yard, corridors on 2 floors.
    used = len(layout)
    police = [("cong-an-huyen", 1, G, BULLET)] * 4 + [("cong-an-huyen", 1, Y, PTZ)] * 2
    police += [("cong-an-huyen", f, C, DOME) for f in (1, 2) for _ in range(4)]
    police += [("cong-an-huyen", f, S, DOME) for f in (1, 2)]
    police += [("cong-an-huyen", 1, OTHER, BULLET)] * (87 - used - len(police))
    return layout + police


TEMPLATES = [
    (
        SiteKind.UBND_HQ,
        "Trụ sở UBND (trọng điểm)",
        2,
        [
            ("Hành lang", C, True, T360, 1),
            ("Cầu thang", S, True, T360, 1),
            ("Cổng chính", G, False, BULLET, 1),
            ("Sân", Y, False, "", 1),
        ],
    ),
    (
        SiteKind.PARTY_HALL,
        "Hội trường Huyện ủy",
        2,
        [
            ("Hành lang", C, True, T360, 1),
            ("Cầu thang", S, True, T360, 1),
            ("Hội trường", H, False, PTZ, 2),
            ("Cổng chính", G, False, BULLET, 1),
        ],
    ),
    (
        SiteKind.AGENCY,
        "Cơ quan cấp huyện",
        2,
        [
            ("Hành lang", C, True, T360, 1),
            ("Cầu thang", S, True, "", 1),
            ("Cổng", G, False, BULLET, 1),
        ],
    ),
]

MODELS = {
    T360: "Hikvision DS-2CD6365G0E-IVS",
    BULLET: "Hikvision DS-2CD2T21G0-I",
    DOME: "Dahua IPC-HDW1230T1",
    PTZ: "Dahua SD49225XA-HNR",
}
COSTS = {T360: 9_800_000, BULLET: 2_450_000, DOME: 1_950_000, PTZ: 18_500_000}


def _templates() -> None:
    for site_kind, name, floors, zones in TEMPLATES:
        template, _ = upsert(CoverageTemplate, {"site_kind": site_kind}, name=name, floors=floors)
        for label, placement, per_floor, preferred, quantity in zones:
            upsert(
                ZoneRequirement,
                {"template": template, "placement": placement},
                label=label,
                per_floor=per_floor,
                preferred_type=preferred,
                quantity=quantity,
            )


def _seed_health(camera: Camera, *, online: bool) -> None:
    """Health for a camera the sweep will not probe: set once, so reloading changes nothing."""
    if camera.health != Health.UNKNOWN:
        return
    now = timezone.now()
    Camera.objects.filter(pk=camera.pk).update(
        health=Health.ONLINE if online else Health.OFFLINE,
        health_changed_at=now - timedelta(days=3),
        last_probe_at=now - timedelta(minutes=5),
        last_seen_at=now - timedelta(minutes=5) if online else now - timedelta(days=3),
        monitored_since=now - timedelta(days=30),
    )


def load() -> None:
    _templates()
    police_site = Site.objects.get(code="cong-an-huyen")
    recorders = [
        upsert(
            Recorder,
            {"code": f"nvr-cong-an-{n}"},
            name=f"Đầu ghi NVR {n} – Công an huyện",
            site=police_site,
            kind=RecorderKind.NVR,
            operator=POLICE,
            model="Hikvision DS-9664NI-I8",
            ip_address=f"192.0.2.{240 + n}",
            channels=64,
            storage_days=30,
        )[0]
        for n in (1, 2)
    ]
    sites = {
        s.code: s
        for s in Site.objects.filter(code__in={"ubnd-huyen-nui-thanh", "hoi-truong-huyen-uy", "cong-an-huyen"})
    }
    per_site: dict[str, int] = {}
    for n, (site_code, floor, placement, camera_type) in enumerate(_district_layout(), start=1):
        per_site[site_code] = per_site.get(site_code, 0) + 1
        faulty = n % 9 == 4 and n < 90  # 10 of 87, spread over the three sites
        recorder = recorders[0] if n <= 44 else recorders[1]
        camera, _ = upsert(
            Camera,
            {"code": f"cam-{site_code}-{per_site[site_code]:02d}"},
            name=f"{PLACEMENT_NAMES[placement]} tầng {floor} #{per_site[site_code]}",
            site=sites[site_code],
            building="Nhà chính",
            floor=floor,
            placement=placement,
            camera_type=camera_type,
            model=MODELS[camera_type],
            serial=f"SN-NT16-{n:04d}",
            ip_address=f"192.0.2.{n}",
            stream_url=f"rtsp://192.0.2.{n}:554/Streaming/Channels/101",
            username="viewer",
            recorder=recorder,
            recorder_channel=n if n <= 44 else n - 44,
            install_date=date(2016, 9, 15),
            warranty_end=date(2018, 9, 15),
            cost_vnd=COSTS[camera_type],
            status=CameraStatus.FAULTY if faulty else CameraStatus.IN_SERVICE,
            maintenance=True,
        )
        _seed_health(camera, online=not faulty)
    _tam_giang()
    _history()


def _tam_giang() -> None:
    site = Site.objects.get(code="ubnd-tam-giang")
    server, _ = upsert(
        Recorder,
        {"code": "nvr-tam-giang"},
        name="Máy chủ ghi hình UBND xã Tam Giang",
        site=site,
        kind=RecorderKind.NVR,
        operator="UBND xã Tam Giang",
        model="HP ProLiant ML30 + phần mềm NVR",
        channels=8,
        storage_days=15,
    )
    placements = [(G, BULLET), (Y, BULLET), (C, DOME), (C, DOME), (S, DOME), (H, DOME), (OTHER, BULLET)]
    for i, (placement, camera_type) in enumerate(placements):
        port = TAM_GIANG_PORTS[i]
        upsert(
            Camera,
            {"code": f"cam-tam-giang-{i + 1:02d}"},
            name=f"{PLACEMENT_NAMES[placement]} #{i + 1}",
            site=site,
            building="Trụ sở UBND xã",
            floor=1,
            placement=placement,
            camera_type=camera_type,
            model=MODELS[camera_type],
            serial=f"SN-TG-{i + 1:03d}",
            ip_address="127.0.0.1",
            stream_url=f"rtsp://127.0.0.1:{port}/live",
            recorder=server,
            recorder_channel=i + 1,
            install_date=date(2020, 3, 1),
            warranty_end=date(2022, 3, 1),
            cost_vnd=COSTS[camera_type],
            status=CameraStatus.IN_SERVICE,
            maintenance=False,
        )


def _history() -> None:
    """One past outage with its incident and two alerts (acknowledged), so the pages show their shape."""
    camera = Camera.objects.get(code="cam-hoi-truong-huyen-uy-01")
    if camera.outages.exists():
        return
    now = timezone.now()
    started, ended = now - timedelta(hours=20), now - timedelta(hours=18, minutes=30)
    CameraOutage.objects.create(camera=camera, started_at=started, ended_at=ended, last_error="tcp: connect timed out")
    seen = started + timedelta(minutes=10)
    incident = CameraIncident.objects.create(site=camera.site, started_at=started, ended_at=ended, acknowledged_at=seen)
    CameraAlert.objects.create(
        camera=camera,
        incident=incident,
        kind=AlertKind.OFFLINE,
        created_at=started + timedelta(minutes=3),
        message="tcp: connect timed out",
        acknowledged_at=seen,
    )
    CameraAlert.objects.create(
        camera=camera, incident=incident, kind=AlertKind.RECOVERED, created_at=ended, message="", acknowledged_at=seen
    )
