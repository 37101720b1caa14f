"""
API for briefings. Viewsets stay thin: querysets come from the selectors (so a commune sees only
what it is invited to, other objects are 404), every write and state change calls a service, and
each custom action names the permission it needs (403 without it).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import HistorySerializer, history_rows
from common.files import serve_protected
from common.openapi import PDF, XLSX, file_responses
from common.permissions import ModelPermissions
from common.scoping import scope_queryset
from meetings.api.serializers import briefings as s
from meetings.models import (
    AgendaItem,
    Meeting,
    MeetingDocument,
    MeetingInvitation,
    Minutes,
    MinutesTask,
    Proposal,
    RollCall,
    TextBlock,
)
from meetings.selectors import briefings as selectors
from meetings.services import briefings as services
from meetings.services import proposals as proposal_services


class ActionPermissions(ModelPermissions):
    """Model permissions, except that a view's `action_perms[action]` names what an action needs."""

    def has_permission(self, request: Request, view: Any) -> bool:
        needed = getattr(view, "action_perms", {}).get(getattr(view, "action", None))
        if needed is None:
            return super().has_permission(request, view)
        return bool(request.user and request.user.is_authenticated and request.user.has_perms(needed))


class BriefingViewSet(viewsets.GenericViewSet):
    permission_classes = (ActionPermissions,)
    action_perms: dict[str, tuple[str, ...]] = {}

    @extend_schema(responses=HistorySerializer(many=True), filters=False, parameters=[])
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Change history of the object (who, when, what)."""
        rows = history_rows(self.get_object())
        for row in rows:
            row.pop("record")
        return Response(HistorySerializer(rows, many=True).data)

    def visible_meetings(self) -> QuerySet[Meeting]:
        return selectors.meeting_list_for_user(user=self.request.user)

    def meeting_for_write(self, meeting: Meeting) -> Meeting:
        """A meeting named in a request body must be one the user sees; others do not exist for them."""
        if not self.visible_meetings().filter(pk=meeting.pk).exists():
            raise NotFound
        return meeting


VIEW_MEETING = ("meetings.view_meeting",)


class MeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, BriefingViewSet
):
    """Online briefings. Create books the host room and invites sites; `invite` adds more later."""

    queryset = Meeting.objects.none()
    serializer_class = s.MeetingSerializer
    filterset_fields = ("status", "host_bridge_point")
    search_fields = ("title", "chair")
    ordering_fields = ("starts_at", "title")
    action_perms = {
        "invite": ("meetings.add_meetinginvitation",),
        "agenda": VIEW_MEETING,
        "attendance": VIEW_MEETING,
        "attendance_xlsx": VIEW_MEETING,
        "open_tasks": ("meetings.view_meeting", "meetings.view_minutestask"),
        "history": VIEW_MEETING,
    }

    def get_queryset(self) -> QuerySet[Meeting]:
        return self.visible_meetings().order_by("-starts_at")

    def perform_create(self, serializer: s.MeetingSerializer) -> None:
        data = dict(serializer.validated_data)
        invited = list(data.pop("invited", []))
        group = data.pop("invite_group", None)
        if group:
            invited += list(selectors.bridge_points_for_group(group=group))
        serializer.instance = services.meeting_create(user=self.request.user, invited=invited, **data)

    def perform_update(self, serializer: s.MeetingSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("invited", None), data.pop("invite_group", None), data.pop("host_bridge_point", None)
        serializer.instance = services.meeting_update(meeting=serializer.instance, **data)

    @extend_schema(
        responses=inline_serializer(
            "MeetingInvited", {"invited": serializers.IntegerField(), "total": serializers.IntegerField()}
        )
    )
    @action(detail=True, methods=["post"], serializer_class=s.InviteSerializer)
    def invite(self, request: Request, pk: str | None = None) -> Response:
        """Invite bridge points by id and/or a whole `invite_group` (all communes, mountain, coastal, island…)."""
        meeting = self.get_object()
        data = s.InviteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        points = list(data.validated_data.get("bridge_points", []))
        if group := data.validated_data.get("invite_group"):
            points += list(selectors.bridge_points_for_group(group=group))
        created = services.meeting_invite(meeting=meeting, bridge_points=points)
        return Response({"invited": len(created), "total": meeting.invitations.count()}, status=status.HTTP_200_OK)

    @extend_schema(
        responses=inline_serializer(
            "MeetingAgenda",
            {"planned_end": serializers.DateTimeField(), "items": s.AgendaRowSerializer(many=True)},
        )
    )
    @action(detail=True, methods=["get"])
    def agenda(self, request: Request, pk: str | None = None) -> Response:
        """The numbered agenda with planned start and end times."""
        meeting = self.get_object()
        rows = selectors.agenda_rows(meeting=meeting)
        return Response(
            {
                "planned_end": selectors.agenda_planned_end(meeting=meeting, rows=rows),
                "items": s.AgendaRowSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        responses=inline_serializer(
            "MeetingAttendance",
            {
                "counts": serializers.DictField(child=serializers.IntegerField()),
                "sites": s.AttendanceRowSerializer(many=True),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """Per invited site: delegation state, roll call and attendance intervals (roll call and media)."""
        meeting = self.get_object()
        rows = selectors.attendance_sheet(user=request.user, meeting=meeting)
        return Response(
            {
                "counts": selectors.attendance_counts(rows=rows),
                "sites": s.AttendanceRowSerializer(rows, many=True).data,
            }
        )

    @extend_schema(responses=file_responses(XLSX))
    @action(detail=True, methods=["get"], url_path="attendance-xlsx")
    def attendance_xlsx(self, request: Request, pk: str | None = None) -> HttpResponse:
        meeting = self.get_object()
        response = HttpResponse(
            services.attendance_xlsx(meeting=meeting, user=request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="attendance-{meeting.pk}.xlsx"'
        return response

    @extend_schema(responses=s.MinutesTaskSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="open-tasks", pagination_class=None)
    def open_tasks(self, request: Request, pk: str | None = None) -> Response:
        """Tasks still open from earlier meetings for the sites invited to this one."""
        meeting = self.get_object()
        tasks = selectors.tasks_open_before(user=request.user, meeting=meeting)
        return Response(s.MinutesTaskSerializer(tasks, many=True, context=self.get_serializer_context()).data)


class MeetingChildViewSet(BriefingViewSet):
    """Objects hanging off a meeting: visible when their meeting is."""

    def get_queryset(self) -> QuerySet:
        qs = scope_queryset(self.queryset.all(), self.request.user)
        return qs.filter(meeting__in=self.visible_meetings())


class AgendaItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    MeetingChildViewSet,
):
    queryset = AgendaItem.objects.select_related("meeting")
    serializer_class = s.AgendaItemSerializer
    filterset_fields = ("meeting",)

    def perform_create(self, serializer: s.AgendaItemSerializer) -> None:
        data = dict(serializer.validated_data)
        meeting = self.meeting_for_write(data.pop("meeting"))
        data.setdefault("duration_minutes", AgendaItem._meta.get_field("duration_minutes").get_default())
        serializer.instance = services.agenda_item_save(meeting=meeting, **data)

    def perform_update(self, serializer: s.AgendaItemSerializer) -> None:
        item = serializer.instance
        data = {
            "title": item.title,
            "duration_minutes": item.duration_minutes,
            "presenter": item.presenter,
            "parent": item.parent,
            "position": item.position,
            **serializer.validated_data,
        }
        data.pop("meeting", None)
        serializer.instance = services.agenda_item_save(meeting=item.meeting, item=item, **data)


class MeetingDocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    MeetingChildViewSet,
):
    """Meeting documents: upload (multipart; PDF, DOCX, XLSX, PNG, JPEG checked by content), download."""

    queryset = MeetingDocument.objects.select_related("meeting")
    serializer_class = s.MeetingDocumentSerializer
    parser_classes = (MultiPartParser, FormParser, JSONParser)
    filterset_fields = ("meeting", "kind")
    action_perms = {"download": ("meetings.view_meetingdocument",)}

    def perform_create(self, serializer: s.MeetingDocumentSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = services.meeting_document_add(
            meeting=self.meeting_for_write(data["meeting"]),
            user=self.request.user,
            upload=data["file"],
            title=data.get("title", ""),
        )

    def perform_destroy(self, instance: MeetingDocument) -> None:
        services.meeting_document_delete(document=instance)

    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponse:
        document = self.get_object()
        return serve_protected(document.file, filename=document.original_name)


class InvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, BriefingViewSet
):
    """
    Invited sites and their delegations. A commune sees and edits only its own; PUT/PATCH replaces
    the delegation, `confirm` confirms it; both are refused once the meeting has started.
    """

    queryset = MeetingInvitation.objects.none()
    serializer_class = s.InvitationSerializer
    filterset_fields = ("meeting",)
    action_perms = {"confirm": ("meetings.change_meetinginvitation",)}

    def get_queryset(self) -> QuerySet[MeetingInvitation]:
        qs = MeetingInvitation.objects.select_related("meeting", "bridge_point__room__site__unit")
        qs = scope_queryset(qs.prefetch_related("members"), self.request.user)
        return qs.filter(meeting__in=self.visible_meetings())

    def perform_update(self, serializer: s.InvitationSerializer) -> None:
        invitation = serializer.instance
        data = serializer.validated_data
        members = data.get("members")
        serializer.instance = services.delegation_update(
            invitation=invitation,
            user=self.request.user,
            expected_headcount=data.get("expected_headcount", invitation.expected_headcount),
            members=(
                [services.MemberData(m["name"], m.get("position", "")) for m in members]
                if members is not None
                else [services.MemberData(m.name, m.position) for m in invitation.members.all()]
            ),
        )

    def perform_destroy(self, instance: MeetingInvitation) -> None:
        services.meeting_uninvite(invitation=instance)

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        """The site confirms its delegation (at least 15 minutes before the start, or it shows as late)."""
        invitation = services.delegation_confirm(invitation=self.get_object(), user=request.user)
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(self.get_serializer(invitation).data)


class RollCallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, MeetingChildViewSet):
    """Roll call per site; POST again for the same site corrects it."""

    queryset = RollCall.objects.select_related("meeting", "bridge_point")
    serializer_class = s.RollCallSerializer
    filterset_fields = ("meeting", "status")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        roll_call = services.roll_call_record(
            meeting=self.meeting_for_write(data.pop("meeting")), user=request.user, **data
        )
        return Response(self.get_serializer(roll_call).data, status=status.HTTP_201_CREATED)


MINUTES_WRITE = ("meetings.change_minutes",)
MINUTES_APPROVE = ("meetings.approve_minutes",)


class MinutesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, BriefingViewSet):
    """
    Minutes and their versions. POST `{meeting}` starts a prefilled draft; PATCH edits a draft;
    `submit`, `return`, `approve`, `amend` move it along; `pdf` renders the administrative layout.
    """

    queryset = Minutes.objects.none()
    serializer_class = s.MinutesSerializer
    filterset_fields = ("meeting", "status")
    action_perms = {
        "create": ("meetings.add_minutes",),
        "submit": MINUTES_WRITE,
        "return_to_draft": MINUTES_APPROVE,
        "approve": MINUTES_APPROVE,
        "amend": ("meetings.add_minutes",),
        "pdf": ("meetings.view_minutes",),
        "history": ("meetings.view_minutes",),
    }

    def get_queryset(self) -> QuerySet[Minutes]:
        return selectors.minutes_list_for_user(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = s.MinutesCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        meeting = self.meeting_for_write(data.validated_data["meeting"])
        minutes = services.minutes_draft_create(meeting=meeting, user=request.user)
        return Response(self.get_serializer(minutes).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: s.MinutesSerializer) -> None:
        serializer.instance = services.minutes_update(
            minutes=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def _transition(self, service: Any, **kwargs: Any) -> Response:
        minutes = service(minutes=self.get_object(), user=self.request.user, **kwargs)
        return Response(self.get_serializer(minutes).data)

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Draft → in review."""
        return self._transition(services.minutes_submit)

    @extend_schema(request=s.ReasonSerializer, responses=s.MinutesSerializer)
    @action(detail=True, methods=["post"], url_path="return", serializer_class=s.ReasonSerializer)
    def return_to_draft(self, request: Request, pk: str | None = None) -> Response:
        """In review → draft, with the reviewer's reason."""
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        minutes = services.minutes_return(minutes=self.get_object(), user=request.user, **data.validated_data)
        return Response(s.MinutesSerializer(minutes).data)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """In review → approved (immutable from then on)."""
        return self._transition(services.minutes_approve)

    @extend_schema(request=s.ReasonSerializer, responses={201: s.MinutesSerializer})
    @action(detail=True, methods=["post"], serializer_class=s.ReasonSerializer)
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """Approved → a new draft version with the reason for the amendment."""
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        amendment = services.minutes_amend(minutes=self.get_object(), user=request.user, **data.validated_data)
        return Response(s.MinutesSerializer(amendment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=file_responses(PDF))
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The minutes as PDF in the Decree 30/2020 layout; drafts carry a watermark."""
        minutes = self.get_object()
        response = HttpResponse(services.minutes_pdf(minutes=minutes), content_type="application/pdf")
        name = slugify(f"bien-ban-{minutes.meeting_id}-v{minutes.version}")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response


class TextBlockViewSet(viewsets.ModelViewSet):
    """Reusable text blocks for minutes."""

    queryset = TextBlock.objects.all()
    serializer_class = s.TextBlockSerializer
    permission_classes = (ActionPermissions,)
    filterset_fields = ("is_active",)
    search_fields = ("title", "body")


class MinutesTaskViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, MeetingChildViewSet
):
    """Conclusion tasks per commune. `complete` reports one done; `reopen` takes it back."""

    queryset = MinutesTask.objects.select_related("meeting", "unit")
    serializer_class = s.MinutesTaskSerializer
    filterset_fields = ("meeting", "unit", "status")
    ordering_fields = ("due_on", "status")
    action_perms = {
        "complete": ("meetings.complete_minutestask",),
        "reopen": ("meetings.change_minutestask",),
        "history": ("meetings.view_minutestask",),
    }

    def perform_create(self, serializer: s.MinutesTaskSerializer) -> None:
        data = dict(serializer.validated_data)
        meeting = self.meeting_for_write(data.pop("meeting"))
        serializer.instance = services.task_create(meeting=meeting, user=self.request.user, **data)

    @extend_schema(request=s.TaskCompleteSerializer, responses=s.MinutesTaskSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.TaskCompleteSerializer)
    def complete(self, request: Request, pk: str | None = None) -> Response:
        data = s.TaskCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_complete(task=self.get_object(), user=request.user, **data.validated_data)
        return Response(s.MinutesTaskSerializer(task, context=self.get_serializer_context()).data)

    @extend_schema(request=s.ReasonSerializer, responses=s.MinutesTaskSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.ReasonSerializer)
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.task_reopen(task=self.get_object(), user=request.user, **data.validated_data)
        return Response(s.MinutesTaskSerializer(task, context=self.get_serializer_context()).data)


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, MeetingChildViewSet):
    """Communes' proposals. A commune records its own; `answer` is for the assigned office."""

    queryset = Proposal.objects.select_related("meeting", "unit", "office")
    serializer_class = s.ProposalSerializer
    filterset_fields = ("meeting", "unit", "office", "status")
    ordering_fields = ("due_on", "status")
    action_perms = {
        "answer": ("meetings.answer_proposal",),
        "history": ("meetings.view_proposal",),
    }

    def perform_create(self, serializer: s.ProposalSerializer) -> None:
        data = dict(serializer.validated_data)
        meeting = self.meeting_for_write(data.pop("meeting"))
        serializer.instance = proposal_services.proposal_create(meeting=meeting, user=self.request.user, **data)

    @extend_schema(request=s.ProposalAnswerSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"], serializer_class=s.ProposalAnswerSerializer)
    def answer(self, request: Request, pk: str | None = None) -> Response:
        data = s.ProposalAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = proposal_services.proposal_answer(
            proposal=self.get_object(), user=request.user, **data.validated_data
        )
        return Response(s.ProposalSerializer(proposal, context=self.get_serializer_context()).data)
