from django.urls import path

from common.urls import object_urls
from meetings.views import briefings as v

M = "briefings/<int:meeting_pk>"

urlpatterns = [
    *object_urls(
        "briefings", "meeting", list_view=v.MeetingListView, detail=v.MeetingDetailView, edit=v.MeetingEditView
    ),
    path("briefings/dashboard/", v.LeaderDashboardView.as_view(), name="briefing_dashboard"),
    path("briefings/savings/", v.SavingsReportView.as_view(), name="briefing_savings"),
    path("briefings/savings/<int:year>.xlsx", v.SavingsXlsxView.as_view(), name="briefing_savings_xlsx"),
    path("briefings/savings/<int:year>.pdf", v.SavingsPdfView.as_view(), name="briefing_savings_pdf"),
    path(f"{M}/invite/", v.InviteView.as_view(), name="briefing_invite"),
    path(f"{M}/invitations/<int:pk>/withdraw/", v.UninviteView.as_view(), name="briefing_uninvite"),
    path(f"{M}/agenda/add/", v.AgendaItemAddView.as_view(), name="agendaitem_add"),
    path(f"{M}/agenda/<int:pk>/edit/", v.AgendaItemEditView.as_view(), name="agendaitem_edit"),
    path(f"{M}/agenda/<int:pk>/delete/", v.AgendaItemDeleteView.as_view(), name="agendaitem_delete"),
    path(f"{M}/documents/add/", v.DocumentUploadView.as_view(), name="meetingdocument_add"),
    path(f"{M}/documents/<int:pk>/", v.DocumentDownloadView.as_view(), name="meetingdocument_download"),
    path(f"{M}/documents/<int:pk>/delete/", v.DocumentDeleteView.as_view(), name="meetingdocument_delete"),
    path(f"{M}/roll-call/", v.RollCallView.as_view(), name="briefing_roll_call"),
    path(f"{M}/attendance/", v.AttendanceView.as_view(), name="briefing_attendance"),
    path(f"{M}/attendance.xlsx", v.AttendanceXlsxView.as_view(), name="briefing_attendance_xlsx"),
    path(f"{M}/minutes/add/", v.MinutesCreateView.as_view(), name="minutes_add"),
    path(f"{M}/tasks/add/", v.TaskAddView.as_view(), name="minutestask_add"),
    path(f"{M}/proposals/add/", v.ProposalAddView.as_view(), name="proposal_add"),
    path("delegations/<int:pk>/", v.DelegationEditView.as_view(), name="delegation_edit"),
    path("delegations/<int:pk>/confirm/", v.DelegationConfirmView.as_view(), name="delegation_confirm"),
    path("minutes/<int:pk>/", v.MinutesDetailView.as_view(), name="minutes_detail"),
    path("minutes/<int:pk>/edit/", v.MinutesEditView.as_view(), name="minutes_edit"),
    path("minutes/<int:pk>/pdf/", v.MinutesPdfView.as_view(), name="minutes_pdf"),
    path("minutes/<int:pk>/<slug:action>/", v.MinutesActionView.as_view(), name="minutes_action"),
    *object_urls("tasks", "minutestask", list_view=v.TaskListView, detail=v.TaskDetailView),
    path("tasks/<int:pk>/complete/", v.TaskCompleteView.as_view(), name="minutestask_complete"),
    *object_urls("proposals", "proposal", list_view=v.ProposalListView, detail=v.ProposalDetailView),
    *object_urls(
        "offices",
        "districtoffice",
        list_view=v.DistrictOfficeListView,
        detail=v.DistrictOfficeDetailView,
        edit=v.DistrictOfficeEditView,
    ),
    path("proposals/<int:pk>/answer/", v.ProposalAnswerView.as_view(), name="proposal_answer"),
    *object_urls(
        "text-blocks",
        "textblock",
        list_view=v.TextBlockListView,
        detail=v.TextBlockDetailView,
        edit=v.TextBlockEditView,
        delete=v.TextBlockDeleteView,
    ),
]
