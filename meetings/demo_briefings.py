"""
Demo briefings: last month's weekly briefing with roll call, approved minutes and tasks; last
week's with minutes in review for the leader; next week's with its agenda, documents to come and
Tam Hải's delegation still to confirm. Idempotent: a meeting found by title is left alone.
"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from common.exceptions import ConflictError
from meetings.models import DistrictOffice, Meeting, Proposal, RollCall, TextBlock
from meetings.selectors.briefings import InviteGroup, bridge_points_for_group
from meetings.services import briefings as services
from meetings.services import proposals as proposal_services
from sites.models import AdministrativeUnit, BridgePoint

TEXT_BLOCKS = [
    (
        "Mở đầu cuộc họp",
        "Cuộc họp được tổ chức theo hình thức trực tuyến từ điểm cầu UBND huyện đến các điểm cầu UBND "
        "các xã, thị trấn.",
    ),
    (
        "Kết luận: chuẩn bị mùa mưa bão",
        "Yêu cầu UBND các xã ven biển rà soát phương án sơ tán dân, kiểm tra tàu thuyền và báo cáo về "
        "Văn phòng HĐND-UBND huyện trước ngày 30 hằng tháng.",
    ),
    ("Kết thúc", "Cuộc họp kết thúc cùng ngày; biên bản được lập thành 02 bản có giá trị như nhau."),
]

AGENDA = [
    ("Báo cáo tình hình kinh tế - xã hội trong tuần", "Văn phòng HĐND-UBND huyện", 15, []),
    (
        "Công tác phòng, chống thiên tai",
        "",
        0,
        [("Tình hình mưa bão khu vực ven biển", "Phòng NN&PTNT", 10), ("Ý kiến các xã ven biển", "", 15)],
    ),
    ("Tiến độ đầu tư điểm cầu trực tuyến và ca-mê-ra an ninh", "Phòng TC-KH", 10, []),
    ("Ý kiến các xã, thị trấn", "", 20, []),
    ("Kết luận của Chủ tịch UBND huyện", "Chủ tịch UBND huyện", 10, []),
]


# The district's offices (phòng chuyên môn) that answer communes' proposals: (short name, name).
OFFICES = [
    ("Văn phòng HĐND-UBND", "Văn phòng HĐND và UBND huyện"),
    ("Phòng TC-KH", "Phòng Tài chính – Kế hoạch"),
    ("Phòng NN&PTNT", "Phòng Nông nghiệp và Phát triển nông thôn"),
    ("Phòng TN&MT", "Phòng Tài nguyên và Môi trường"),
]

TODAY_TITLE = "Giao ban chuyên đề phòng, chống thiên tai"


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _meeting(title: str, starts_at: datetime, organiser: User, host: BridgePoint) -> tuple[Meeting, bool]:
    existing = Meeting.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    meeting = services.meeting_create(
        user=organiser,
        title=title,
        chair="Nguyễn Hữu Chủ tịch – Chủ tịch UBND huyện",
        host_bridge_point=host,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        invited=bridge_points_for_group(group=InviteGroup.ALL),
    )
    for position, (title_, presenter, minutes, children) in enumerate(AGENDA, start=1):
        parent = services.agenda_item_save(
            meeting=meeting, title=title_, presenter=presenter, duration_minutes=minutes, position=position
        )
        for child_position, (child, child_presenter, child_minutes) in enumerate(children, start=1):
            services.agenda_item_save(
                meeting=meeting,
                parent=parent,
                title=child,
                presenter=child_presenter,
                duration_minutes=child_minutes,
                position=child_position,
            )
    return meeting, True


def _roll_call(meeting: Meeting, organiser: User) -> None:
    for index, invitation in enumerate(meeting.invitations.select_related("bridge_point")):
        status = RollCall.Status.ABSENT if index == 4 else RollCall.Status.LATE if index == 7 else "present"
        services.roll_call_record(
            meeting=meeting,
            bridge_point=invitation.bridge_point,
            user=organiser,
            status=status,
            headcount=0 if status == RollCall.Status.ABSENT else 6 + index % 5,
            note="Mất điện lưới" if status == RollCall.Status.ABSENT else "",
            arrived_at=meeting.starts_at + timedelta(minutes=12),
        )


@transaction.atomic
def _offices(organiser: User) -> dict[str, DistrictOffice]:
    district = AdministrativeUnit.objects.get(code="nui-thanh")
    offices = {}
    for short_name, name in OFFICES:
        office, _created = DistrictOffice.objects.get_or_create(
            district=district, short_name=short_name, defaults={"name": name}
        )
        offices[short_name] = office
    offices["Văn phòng HĐND-UBND"].members.add(organiser)
    return offices


def _proposals(meeting: Meeting, offices: dict[str, DistrictOffice], organiser: User) -> None:
    """Two proposals from last month's briefing: one answered, one late."""
    points = list(meeting.invitations.select_related("bridge_point__room__site__unit")[:2])
    texts = [
        ("Đề nghị huyện hỗ trợ kinh phí sửa chữa kè biển đoạn thôn 3 trước mùa mưa bão.", "Phòng TC-KH", -3),
        ("Đề nghị bố trí thêm đường truyền dự phòng 4G cho điểm cầu xã.", "Văn phòng HĐND-UBND", 5),
    ]
    for invitation, (text, office, due) in zip(points, texts, strict=False):
        proposal = proposal_services.proposal_create(
            meeting=meeting,
            unit=invitation.bridge_point.room.site.unit,
            bridge_point=invitation.bridge_point,
            text=text,
            office=offices[office],
            due_on=timezone.localdate() + timedelta(days=due),
            user=organiser,
        )
        if office == "Văn phòng HĐND-UBND":
            proposal_services.proposal_answer(
                proposal=proposal,
                user=organiser,
                answer="Văn phòng đã đề nghị Viettel lắp đường truyền 4G dự phòng trong tháng này.",
            )


def load() -> None:
    from accounts import demo as accounts_demo

    accounts_demo.load()  # the organiser and the leader; idempotent
    organiser = User.objects.get(username="vanphong")
    leader = User.objects.get(username="lanhdao")
    host = BridgePoint.objects.get(code="dc-ubnd-huyen-nui-thanh")
    for title, body in TEXT_BLOCKS:
        TextBlock.objects.get_or_create(title=title, defaults={"body": body})

    # Thursday afternoons, away from the Monday-morning bookings of the bookings demo.
    past, created = _meeting("Giao ban trực tuyến tháng trước", _at(-28, 14), organiser, host)
    if created:
        _roll_call(past, organiser)
        minutes = services.minutes_draft_create(meeting=past, user=organiser)
        services.minutes_update(
            minutes=minutes,
            user=organiser,
            number="42/BB-UBND",
            recipients="Thường trực Huyện ủy\nCác xã, thị trấn\nLưu: VT",
        )
        units = [
            inv.bridge_point.room.site.unit for inv in past.invitations.select_related("bridge_point__room__site__unit")
        ]
        for unit in units[:6]:
            services.task_create(
                meeting=past,
                unit=unit,
                title="Rà soát phương án phòng chống bão, báo cáo về Văn phòng HĐND-UBND huyện",
                due_on=timezone.localdate() - timedelta(days=7 if unit.terrain == "coastal" else -10),
                user=organiser,
            )
        services.minutes_submit(minutes=minutes, user=organiser)
        services.minutes_approve(minutes=minutes, user=leader)
    offices = _offices(organiser)
    if not Proposal.objects.filter(meeting=past).exists():
        _proposals(past, offices, organiser)

    recent, created = _meeting("Giao ban trực tuyến tuần trước", _at(-7, 14), organiser, host)
    if created:
        _roll_call(recent, organiser)
        minutes = services.minutes_draft_create(meeting=recent, user=organiser)
        services.minutes_submit(minutes=minutes, user=organiser)

    _meeting("Giao ban trực tuyến tuần tới", _at(7, 14), organiser, host)
    # One on the day the demo is loaded, so the office's "today" panel and the readiness board have
    # something to show; the first free afternoon slot of the host room.
    if not Meeting.objects.filter(title=TODAY_TITLE).exists():
        for hour in (15, 16, 17, 19, 20):
            try:
                _meeting(TODAY_TITLE, _at(0, hour), organiser, host)
                break
            except ConflictError:
                continue
    # The past briefings were held (roll call, minutes): closed as such, as beat would within minutes.
    services.meetings_close_past()
