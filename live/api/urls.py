from django.urls import include, path

from live.api import views

# Everything under one live meeting: the board and the host's controls, each site's room, the floor.
site_patterns = [
    path("join/", views.JoinConfigApi.as_view(), name="live-join-config"),
    path("readiness/", views.ReadinessApi.as_view(), name="live-readiness"),
    path("session/", views.SessionClaimApi.as_view(), name="live-session-claim"),
    path("floor/", views.FloorRequestApi.as_view(), name="live-floor-request"),
]
meeting_patterns = [
    path("board/", views.BoardSnapshotApi.as_view(), name="live-board"),
    path("start/", views.MeetingStartApi.as_view(), name="live-start"),
    path("end/", views.MeetingEndApi.as_view(), name="live-end"),
    path("recording/", views.MeetingRecordApi.as_view(), name="live-recording"),
    path("participants/<int:state_id>/mute/", views.ParticipantMuteApi.as_view(), name="live-mute"),
    path("participants/<int:state_id>/drop/", views.ParticipantDropApi.as_view(), name="live-drop"),
    path("sites/<int:bridge_point_id>/", include(site_patterns)),
    path("floor/give/", views.FloorGiveApi.as_view(), name="live-floor-give"),
    path("floor/take/", views.FloorTakeApi.as_view(), name="live-floor-take"),
    path("floor/decline/", views.FloorDeclineApi.as_view(), name="live-floor-decline"),
    path("floor/mode/", views.FloorModeApi.as_view(), name="live-floor-mode"),
    path("agenda/", views.AgendaSetApi.as_view(), name="live-agenda"),
]
urlpatterns = [path("live/meetings/<int:meeting_id>/", include(meeting_patterns))]
