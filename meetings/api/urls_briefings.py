from rest_framework.routers import DefaultRouter

from meetings.api.views import briefings as views

router = DefaultRouter()
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("agenda-items", views.AgendaItemViewSet, basename="agendaitem")
router.register("meeting-documents", views.MeetingDocumentViewSet, basename="meetingdocument")
router.register("invitations", views.InvitationViewSet, basename="meetinginvitation")
router.register("roll-calls", views.RollCallViewSet, basename="rollcall")
router.register("minutes", views.MinutesViewSet, basename="minutes")
router.register("text-blocks", views.TextBlockViewSet, basename="textblock")
router.register("tasks", views.MinutesTaskViewSet, basename="minutestask")
router.register("proposals", views.ProposalViewSet, basename="proposal")

urlpatterns = router.urls
