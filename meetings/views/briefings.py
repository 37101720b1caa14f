"""
Web pages for briefings. Each view checks a role permission (403), finds its meeting through
`meeting_list_for_user` (another commune's meeting is 404), and hands writes to a service; a
refused change comes back as a message and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View, generic

from common.exceptions import ApplicationError
from common.files import serve_protected
from common.history import history_display
from common.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView, ObjectViewMixin
from meetings.filtersets.briefings import MeetingFilterSet, ProposalFilterSet, TaskFilterSet
from meetings.forms import briefings as forms
from meetings.models import (
    AgendaItem,
    AttendanceInterval,
    DistrictOffice,
    Meeting,
    MeetingInvitation,
    Minutes,
    MinutesTask,
    Proposal,
    RollCall,
    TextBlock,
)
from meetings.selectors import bookings as booking_selectors
from meetings.selectors import briefings as selectors
from meetings.selectors import proposals as proposal_selectors
from meetings.selectors import savings as savings_selectors
from meetings.services import briefings as services
from meetings.services import proposals as proposal_services
from meetings.services import savings as savings_services
from meetings.tables.briefings import DistrictOfficeTable, MeetingTable, ProposalTable, TaskTable, TextBlockTable
from sites.selectors import site_unit_names_on


class BriefingMixin(ObjectViewMixin):
    """Login, the permissions in `required` (403 without them), and the meeting of the URL (404 if unseen)."""

    model = Meeting
    required: tuple[str, ...] = ("meetings.view_meeting",)

    def get_permission_required(self) -> tuple[str, ...]:
        return self.required

    def get_meeting(self) -> Meeting:
        if not hasattr(self, "_meeting"):
            self._meeting = selectors.meeting_get_for_user(user=self.request.user, pk=self.kwargs["meeting_pk"])
        return self._meeting


class ActionView(BriefingMixin, View):
    """A POST that calls one service and goes back where it came from, with a message."""

    success_message = ""

    def act(self) -> Any:
        raise NotImplementedError

    def next_url(self, result: Any) -> str:
        return self.get_meeting().get_absolute_url()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                result = self.act()
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(self.fallback_url())
        if self.success_message:
            messages.success(request, self.success_message)
        return redirect(self.next_url(result))

    def fallback_url(self) -> str:
        return self.next_url(None)


def _form_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


#
# Meetings
#


class MeetingListView(ObjectListView):
    model = Meeting
    table_class = MeetingTable
    filterset_class = MeetingFilterSet

    def get_queryset(self) -> QuerySet[Meeting]:
        qs = selectors.meeting_list_in_date_order(
            selectors.meeting_list_for_user(user=self.request.user).annotate(invitation_count=Count("invitations"))
        )
        self.filterset = MeetingFilterSet(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else qs


class MeetingDetailView(ObjectDetailView):
    """Everything about one briefing: agenda, documents, invited sites and delegations, minutes, tasks."""

    model = Meeting

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_detail_prefetch(selectors.meeting_list_for_user(user=self.request.user))

    def get_template_names(self) -> list[str]:
        return ["meetings/briefings/meeting_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        meeting, user = self.object, self.request.user
        agenda = selectors.agenda_rows(meeting=meeting)
        attendance = selectors.attendance_sheet(user=user, meeting=meeting)
        context.update(
            # Each site's commune as it was called on the day of the meeting (units merge and rename).
            unit_names=site_unit_names_on(
                day=timezone.localdate(meeting.starts_at),
                site_ids={row.invitation.bridge_point.room.site_id for row in attendance},
            ),
            agenda=agenda,
            planned_end=selectors.agenda_planned_end(meeting=meeting, rows=agenda),
            attendance=attendance,
            counts=selectors.attendance_counts(rows=attendance),
            state_labels=selectors.DelegationState.LABELS,
            deadline=selectors.delegation_deadline(meeting=meeting),
            started=selectors.meeting_has_started(meeting=meeting),
            # The versions' numbers and states: their amendment only, not the people and meeting of
            # each (PostgreSQL spent longer planning those six joins than running the query).
            minutes_versions=selectors.minutes_list_for_user(user=user)
            .filter(meeting=meeting)
            .select_related(None)
            .select_related("amendment")
            .order_by("-version"),
            tasks=selectors.task_list_for_user(user=user).filter(meeting=meeting),
            open_tasks=selectors.tasks_open_before(user=user, meeting=meeting)
            if user.has_perm("meetings.view_minutestask")
            else [],
            agenda_form=forms.AgendaItemForm(meeting=meeting),
            document_form=forms.DocumentForm(),
            invite_form=forms.InviteForm(),
            task_form=forms.TaskForm(meeting=meeting),
            **self._proposals(meeting, user),
            room_booking=booking_selectors.meeting_booking(user=user, meeting=meeting),
        )
        return context

    @staticmethod
    def _proposals(meeting: Meeting, user: Any) -> dict[str, Any]:
        if not user.has_perm("meetings.view_proposal"):
            return {"proposals": [], "open_proposals": []}
        return {
            "proposals": proposal_selectors.proposal_list_for_user(user=user).filter(meeting=meeting),
            "open_proposals": proposal_selectors.proposals_open_before(user=user, meeting=meeting),
            "proposal_form": forms.ProposalForm(meeting=meeting, user=user)
            if user.has_perm("meetings.add_proposal")
            else None,
        }


class MeetingEditView(ObjectEditView):
    model = Meeting
    form_class = forms.MeetingForm
    template_name = "meetings/briefings/meeting_form.html"

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.meeting_list_for_user(user=self.request.user)

    def form_valid(self, form: forms.MeetingForm) -> HttpResponse:
        response = super().form_valid(form)
        booking = getattr(self.object, "booking", None) if self.object is not None else None
        if booking is not None and booking.status == booking.Status.TENTATIVE:
            messages.warning(
                self.request,
                _(
                    "The host room is booked as tentative: it breaks a rule of the room and waits for its "
                    "approver (see the meeting page)."
                ),
            )
        return response


class InviteView(ActionView):
    required = ("meetings.add_meetinginvitation",)

    def act(self) -> None:
        form = forms.InviteForm(self.request.POST)
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        points = list(form.cleaned_data["bridge_points"])
        if form.cleaned_data["group"]:
            points += list(selectors.bridge_points_for_group(group=form.cleaned_data["group"]))
        created = services.meeting_invite(meeting=self.get_meeting(), bridge_points=points)
        messages.success(self.request, _("%(n)d sites invited.") % {"n": len(created)})


class UninviteView(ActionView):
    required = ("meetings.delete_meetinginvitation",)
    success_message = ""

    def act(self) -> None:
        invitation = get_object_or_404(self.get_meeting().invitations, pk=self.kwargs["pk"])
        services.meeting_uninvite(invitation=invitation)


#
# Agenda and documents
#


class AgendaItemAddView(ActionView):
    required = ("meetings.add_agendaitem",)

    def act(self) -> None:
        meeting = self.get_meeting()
        form = forms.AgendaItemForm(self.request.POST, meeting=meeting)
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        services.agenda_item_save(meeting=meeting, **form.cleaned_data)


class AgendaItemEditView(BriefingMixin, generic.FormView):
    required = ("meetings.change_agendaitem",)
    template_name = "meetings/briefings/form_page.html"

    def get_item(self) -> AgendaItem:
        return get_object_or_404(self.get_meeting().agenda_items, pk=self.kwargs["pk"])

    def get_form(self, form_class: Any = None) -> forms.AgendaItemForm:
        data = self.request.POST if self.request.method == "POST" else None
        return forms.AgendaItemForm(data, meeting=self.get_meeting(), instance=self.get_item())

    def form_valid(self, form: forms.AgendaItemForm) -> HttpResponse:
        try:
            services.agenda_item_save(meeting=self.get_meeting(), item=self.get_item(), **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        return redirect(self.get_meeting().get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(meeting=self.get_meeting(), heading=_("Edit agenda item"), **kwargs)


class AgendaItemDeleteView(ActionView):
    required = ("meetings.delete_agendaitem",)

    def act(self) -> None:
        get_object_or_404(self.get_meeting().agenda_items, pk=self.kwargs["pk"]).delete()


class DocumentUploadView(ActionView):
    required = ("meetings.add_meetingdocument",)

    def act(self) -> None:
        form = forms.DocumentForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        services.meeting_document_add(
            meeting=self.get_meeting(),
            user=self.request.user,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
        messages.success(self.request, _("Document uploaded."))


class DocumentDownloadView(BriefingMixin, View):
    required = ("meetings.view_meetingdocument",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = get_object_or_404(self.get_meeting().documents, pk=kwargs["pk"])
        return serve_protected(document.file, filename=document.original_name)


class DocumentDeleteView(ActionView):
    required = ("meetings.delete_meetingdocument",)

    def act(self) -> None:
        services.meeting_document_delete(document=get_object_or_404(self.get_meeting().documents, pk=self.kwargs["pk"]))


#
# Delegations
#


class InvitationMixin(BriefingMixin):
    def get_invitation(self) -> MeetingInvitation:
        invitation = selectors.invitation_get_for_user(user=self.request.user, pk=self.kwargs["pk"])
        self._meeting = invitation.meeting
        return invitation


class DelegationEditView(InvitationMixin, generic.FormView):
    """A site's delegation: expected headcount and the names with positions."""

    required = ("meetings.change_meetinginvitation",)
    template_name = "meetings/briefings/delegation_form.html"
    form_class = forms.DelegationForm

    def get_initial(self) -> dict[str, Any]:
        invitation = self.get_invitation()
        return {
            "expected_headcount": invitation.expected_headcount,
            "members": forms.DelegationForm.initial_members(invitation),
        }

    def form_valid(self, form: forms.DelegationForm) -> HttpResponse:
        invitation = self.get_invitation()
        try:
            services.delegation_update(
                invitation=invitation,
                user=self.request.user,
                expected_headcount=form.cleaned_data["expected_headcount"],
                members=form.cleaned_data["members"],
            )
            if "confirm" in self.request.POST:
                services.delegation_confirm(invitation=invitation, user=self.request.user)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Delegation confirmed.") if "confirm" in self.request.POST else _("Delegation saved.")
        )
        return redirect(self.get_meeting().get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        invitation = self.get_invitation()
        return super().get_context_data(
            invitation=invitation,
            meeting=invitation.meeting,
            state=selectors.delegation_state(invitation=invitation),
            state_labels=selectors.DelegationState.LABELS,
            deadline=selectors.delegation_deadline(meeting=invitation.meeting),
            started=selectors.meeting_has_started(meeting=invitation.meeting),
            **kwargs,
        )


class DelegationConfirmView(InvitationMixin, ActionView):
    required = ("meetings.change_meetinginvitation",)

    def act(self) -> None:
        services.delegation_confirm(invitation=self.get_invitation(), user=self.request.user)
        messages.success(self.request, _("Delegation confirmed."))


#
# Roll call and attendance
#


class RollCallView(BriefingMixin, View):
    """The roll call of every invited site on one page; each changed line goes through the service."""

    required = ("meetings.add_rollcall", "meetings.change_rollcall")
    template_name = "meetings/briefings/roll_call.html"

    def rows(self, data: Any = None) -> list[tuple[Any, forms.RollCallRowForm]]:
        meeting = self.get_meeting()
        sheet = selectors.attendance_sheet(user=self.request.user, meeting=meeting)
        rows = []
        for row in sheet:
            rc = row.roll_call
            initial = (
                {"status": rc.status, "headcount": rc.headcount, "names": rc.names, "note": rc.note}
                if rc
                else {"headcount": row.invitation.expected_headcount or None}
            )
            if rc and rc.status == RollCall.Status.LATE:
                called = [i for i in row.intervals if i.source == AttendanceInterval.Source.ROLL_CALL]
                if called:
                    initial["arrived_at"] = timezone.localtime(called[0].joined_at).time().replace(second=0)
            rows.append(
                (row, forms.RollCallRowForm(data, prefix=f"bp{row.invitation.bridge_point_id}", initial=initial))
            )
        return rows

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render(self.rows())

    def render(self, rows: list, errors: list[str] | None = None) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "meeting": self.get_meeting(),
                "rows": rows,
                "errors": errors or [],
                "state_labels": selectors.DelegationState.LABELS,
            },
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rows = self.rows(request.POST)
        if not all(form.is_valid() for _row, form in rows):
            return self.render(rows, [_("Check the marked lines.")])
        meeting, errors, saved = self.get_meeting(), [], 0
        try:
            with transaction.atomic():
                for row, form in rows:
                    if not form.has_changed() or not form.cleaned_data["status"]:
                        continue
                    data = form.cleaned_data
                    arrived_at = None
                    if data.get("arrived_at") and data["status"] == RollCall.Status.LATE:
                        day = timezone.localtime(meeting.starts_at).date()
                        arrived_at = timezone.make_aware(datetime.combine(day, data["arrived_at"]))
                        if arrived_at < meeting.starts_at:  # late, so after the start: past midnight
                            arrived_at += timedelta(days=1)
                    try:
                        services.roll_call_record(
                            meeting=meeting,
                            bridge_point=row.invitation.bridge_point,
                            user=request.user,
                            status=data["status"],
                            headcount=data["headcount"] or 0,
                            names=data["names"],
                            note=data["note"],
                            arrived_at=arrived_at,
                        )
                        saved += 1
                    except ApplicationError as exc:
                        errors.append(f"{row.invitation.bridge_point}: {exc.message}")
                if errors:
                    raise ApplicationError(" ".join(errors))
        except ApplicationError:
            return self.render(rows, errors)
        messages.success(request, _("Roll call saved for %(n)d sites.") % {"n": saved})
        return redirect(reverse("meetings:briefing_attendance", args=[meeting.pk]))


class AttendanceView(BriefingMixin, generic.TemplateView):
    required = ("meetings.view_meeting", "meetings.view_rollcall")
    template_name = "meetings/briefings/attendance.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        meeting = self.get_meeting()
        rows = selectors.attendance_sheet(user=self.request.user, meeting=meeting)
        return super().get_context_data(
            meeting=meeting,
            rows=rows,
            counts=selectors.attendance_counts(rows=rows),
            state_labels=selectors.DelegationState.LABELS,
            **kwargs,
        )


class AttendanceXlsxView(BriefingMixin, View):
    required = ("meetings.view_meeting", "meetings.view_rollcall")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        meeting = self.get_meeting()
        response = HttpResponse(
            services.attendance_xlsx(meeting=meeting, user=request.user),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="diem-danh-{meeting.pk}.xlsx"'
        return response


#
# Minutes
#


class MinutesCreateView(ActionView):
    required = ("meetings.add_minutes",)

    def act(self) -> Minutes:
        return services.minutes_draft_create(meeting=self.get_meeting(), user=self.request.user)

    def next_url(self, result: Minutes | None) -> str:
        return reverse("meetings:minutes_edit", args=[result.pk]) if result else self.get_meeting().get_absolute_url()


class MinutesMixin(BriefingMixin):
    def get_minutes(self) -> Minutes:
        if not hasattr(self, "_minutes"):
            qs = selectors.minutes_list_for_user(user=self.request.user)
            self._minutes = get_object_or_404(qs, pk=self.kwargs["pk"])
            self._meeting = self._minutes.meeting
        return self._minutes


class MinutesDetailView(MinutesMixin, generic.TemplateView):
    """One version of the minutes, its siblings, and the actions the user may take on it."""

    required = ("meetings.view_minutes",)
    template_name = "meetings/briefings/minutes_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        minutes = self.get_minutes()
        user = self.request.user
        return super().get_context_data(
            minutes=minutes,
            meeting=minutes.meeting,
            versions=selectors.minutes_list_for_user(user=user).filter(meeting=minutes.meeting).order_by("-version"),
            latest=selectors.minutes_latest(meeting=minutes.meeting),
            paragraphs=services._paragraphs(minutes.body),
            reason_form=forms.ReasonForm(),
            can_write=user.has_perm("meetings.change_minutes"),
            can_approve=user.has_perm("meetings.approve_minutes"),
            own_draft=minutes.drafted_by_id == user.pk and not services.minutes_may_self_approve(),
            history=history_display(minutes),
            **kwargs,
        )


class MinutesEditView(MinutesMixin, generic.FormView):
    """Edit a draft, with the reusable text blocks at hand. Minutes in review or approved go back to their page."""

    required = ("meetings.change_minutes",)
    template_name = "meetings/briefings/minutes_form.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refused() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._refused() or super().post(request, *args, **kwargs)

    def _refused(self) -> HttpResponse | None:
        minutes = self.get_minutes()
        if minutes.status == Minutes.Status.DRAFT:
            return None
        if minutes.status == Minutes.Status.APPROVED:
            messages.error(self.request, _("Approved minutes cannot be changed; amend them instead."))
        else:
            messages.error(
                self.request, _("These minutes are in review; they can be edited after being returned to draft.")
            )
        return redirect(minutes.get_absolute_url())

    def get_form(self, form_class: Any = None) -> forms.MinutesForm:
        data = self.request.POST if self.request.method == "POST" else None
        return forms.MinutesForm(data, instance=Minutes.objects.get(pk=self.get_minutes().pk))

    def form_valid(self, form: forms.MinutesForm) -> HttpResponse:
        try:
            services.minutes_update(minutes=self.get_minutes(), user=self.request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Minutes saved."))
        return redirect(self.get_minutes().get_absolute_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        blocks = TextBlock.objects.filter(is_active=True)
        return super().get_context_data(
            minutes=self.get_minutes(),
            meeting=self.get_meeting(),
            text_blocks=blocks,
            text_blocks_json={str(b.pk): b.body for b in blocks},
            **kwargs,
        )


class MinutesActionView(MinutesMixin, ActionView):
    """submit · return · approve · amend: each one service call."""

    ACTIONS = {
        "submit": (("meetings.change_minutes",), services.minutes_submit, False),
        "return": (("meetings.approve_minutes",), services.minutes_return, True),
        "approve": (("meetings.approve_minutes",), services.minutes_approve, False),
        "amend": (("meetings.add_minutes",), services.minutes_amend, True),
    }

    def get_permission_required(self) -> tuple[str, ...]:
        if self.kwargs["action"] not in self.ACTIONS:
            raise Http404
        return self.ACTIONS[self.kwargs["action"]][0]

    def act(self) -> Minutes:
        _perms, service, needs_reason = self.ACTIONS[self.kwargs["action"]]
        kwargs: dict[str, Any] = {}
        if needs_reason:
            form = forms.ReasonForm(self.request.POST)
            if not form.is_valid():
                raise ApplicationError(_("Give a reason."))
            kwargs["reason"] = form.cleaned_data["reason"]
        result = service(minutes=self.get_minutes(), user=self.request.user, **kwargs)
        self.success_message = self.done_message(result)  # shown once the change is committed
        return result

    def done_message(self, minutes: Minutes) -> str:
        action = self.kwargs["action"]
        if action == "submit":
            return _("Version %(version)d submitted: the leaders are asked to approve it.") % {
                "version": minutes.version
            }
        if action == "return":
            return _("Version %(version)d returned to draft; the drafter is told why.") % {"version": minutes.version}
        if action == "approve":
            return _("Version %(version)d approved; its PDF is being prepared.") % {"version": minutes.version}
        return _("Version %(version)d started as a draft amendment.") % {"version": minutes.version}

    def next_url(self, result: Minutes | None) -> str:
        return (result or self.get_minutes()).get_absolute_url()


class MinutesPdfView(MinutesMixin, View):
    required = ("meetings.view_minutes",)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        minutes = self.get_minutes()
        response = HttpResponse(services.minutes_pdf(minutes=minutes), content_type="application/pdf")
        name = slugify(f"bien-ban-{minutes.meeting_id}-v{minutes.version}")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response


#
# Tasks
#


class _FromTheMeetingListView(ObjectListView):
    """A list of what is added from a meeting's page (tasks, proposals): no Add button, the user's rows filtered."""

    def visible_rows(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        qs = self.visible_rows()
        self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
        return self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "can_add": False}


class TaskListView(_FromTheMeetingListView):
    model = MinutesTask
    table_class = TaskTable
    filterset_class = TaskFilterSet

    def visible_rows(self) -> QuerySet[MinutesTask]:
        return selectors.task_list_for_user(user=self.request.user)


class TaskDetailView(ObjectDetailView):
    model = MinutesTask

    def get_queryset(self) -> QuerySet[MinutesTask]:
        return selectors.task_list_for_user(user=self.request.user)

    def get_template_names(self) -> list[str]:
        return ["meetings/briefings/task_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(complete_form=forms.TaskCompleteForm(), **kwargs)


class TaskAddView(ActionView):
    required = ("meetings.add_minutestask",)

    def act(self) -> None:
        meeting = self.get_meeting()
        form = forms.TaskForm(self.request.POST, meeting=meeting)
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        services.task_create(meeting=meeting, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Task added."))


class TaskCompleteView(BriefingMixin, View):
    required = ("meetings.complete_minutestask",)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        task = get_object_or_404(selectors.task_list_for_user(user=request.user), pk=kwargs["pk"])
        form = forms.TaskCompleteForm(request.POST)
        try:
            if not form.is_valid():
                raise ApplicationError(_form_errors(form))
            services.task_complete(task=task, user=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Task reported done."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(task.get_absolute_url())


#
# Communes' proposals
#


class ProposalListView(_FromTheMeetingListView):
    model = Proposal
    table_class = ProposalTable
    filterset_class = ProposalFilterSet

    def visible_rows(self) -> QuerySet[Proposal]:
        return proposal_selectors.proposal_list_for_user(user=self.request.user)


class ProposalDetailView(ObjectDetailView):
    model = Proposal

    def get_queryset(self) -> QuerySet[Proposal]:
        return proposal_selectors.proposal_list_for_user(user=self.request.user).select_related(
            "bridge_point", "floor_turn", "created_by"
        )

    def get_template_names(self) -> list[str]:
        return ["meetings/briefings/proposal_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        can_answer = self.object.status == Proposal.Status.OPEN and proposal_services.proposal_can_answer(
            user=self.request.user, proposal=self.object
        )
        return super().get_context_data(answer_form=forms.ProposalAnswerForm(), can_answer=can_answer, **kwargs)


class ProposalAddView(ActionView):
    required = ("meetings.add_proposal",)

    def act(self) -> Proposal:
        meeting = self.get_meeting()
        form = forms.ProposalForm(self.request.POST, meeting=meeting, user=self.request.user)
        if not form.is_valid():
            raise ApplicationError(_form_errors(form))
        proposal = proposal_services.proposal_create(meeting=meeting, user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Proposal recorded and sent to %(office)s.") % {"office": proposal.office})
        return proposal


class ProposalAnswerView(BriefingMixin, View):
    required = ("meetings.answer_proposal",)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        proposal = get_object_or_404(proposal_selectors.proposal_list_for_user(user=request.user), pk=kwargs["pk"])
        form = forms.ProposalAnswerForm(request.POST)
        try:
            if not form.is_valid():
                raise ApplicationError(_form_errors(form))
            proposal_services.proposal_answer(proposal=proposal, user=request.user, answer=form.cleaned_data["answer"])
            messages.success(request, _("Answer sent to the commune."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return HttpResponseRedirect(proposal.get_absolute_url())


class DistrictOfficeListView(ObjectListView):
    model = DistrictOffice
    table_class = DistrictOfficeTable


class DistrictOfficeDetailView(ObjectDetailView):
    model = DistrictOffice


class DistrictOfficeEditView(ObjectEditView):
    model = DistrictOffice
    form_class = forms.DistrictOfficeForm


#
# Text blocks
#


class TextBlockListView(ObjectListView):
    model = TextBlock
    table_class = TextBlockTable


class TextBlockDetailView(ObjectDetailView):
    model = TextBlock


class TextBlockEditView(ObjectEditView):
    model = TextBlock
    form_class = forms.TextBlockForm


class TextBlockDeleteView(ObjectDeleteView):
    model = TextBlock


#
# Leaders
#


class LeaderDashboardView(BriefingMixin, generic.TemplateView):
    """Minutes awaiting approval, attendance rate per commune over the last meetings, open tasks."""

    required = ("meetings.view_minutes", "meetings.view_rollcall", "meetings.view_minutestask")
    template_name = "meetings/briefings/dashboard.html"
    default_last_n = 10

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        try:
            last_n = max(1, min(int(self.request.GET.get("last", self.default_last_n)), 100))
        except ValueError:
            last_n = self.default_last_n
        rates = selectors.attendance_rates(user=user, last_n=last_n)
        return super().get_context_data(
            awaiting=selectors.minutes_awaiting_approval(user=user),
            rates=rates,
            chart={"labels": [r.unit.name for r in rates], "rates": [r.rate for r in rates]},
            last_n=last_n,
            task_counts=selectors.task_counts_per_unit(user=user),
            upcoming=selectors.meeting_list_for_user(user=user)
            .filter(status=Meeting.Status.SCHEDULED, ends_at__gte=timezone.now())
            .order_by("starts_at")[:5],
            **kwargs,
        )


#
# What the network saves
#


SAVINGS_MEETINGS_PER_PAGE = 25


class SavingsMixin(BriefingMixin):
    required = ("meetings.view_meeting", "meetings.view_rollcall")

    def get_year(self) -> int:
        try:
            year = int(self.request.GET.get("year") or self.kwargs.get("year") or timezone.localdate().year)
        except ValueError:
            raise Http404 from None
        if not 2000 <= year <= 2100:
            raise Http404
        return year

    def get_report(self) -> savings_selectors.SavingsReport:
        return savings_selectors.savings_report_cached(user=self.request.user, year=self.get_year())


class SavingsReportView(SavingsMixin, generic.TemplateView):
    """Trips, kilometres, hours and đồng that each briefing and the year saved, per commune."""

    template_name = "meetings/briefings/savings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        report = self.get_report()
        # A province holds about 600 briefings a year: the list is paged (issue 18).
        meetings = Paginator(report.meetings, SAVINGS_MEETINGS_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            report=report,
            meetings=meetings,
            chart=report.chart,
            years=savings_selectors.savings_years(),
            rates_per_km=settings.TRAVEL_ALLOWANCE_PER_KM,
            rates_per_person=settings.TRAVEL_ALLOWANCE_PER_PERSON_TRIP,
            **kwargs,
        )


class SavingsXlsxView(SavingsMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_report()
        response = HttpResponse(
            savings_services.savings_xlsx(report=report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="tiet-kiem-{report.year}.xlsx"'
        return response


class SavingsPdfView(SavingsMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = self.get_report()
        response = HttpResponse(savings_services.savings_pdf(report=report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="tiet-kiem-{report.year}.pdf"'
        return response
