from django.urls import path

from live.api import views

urlpatterns = [
    path("live/meetings/<int:meeting_id>/board/", views.BoardSnapshotApi.as_view(), name="live-board"),
    path("live/meetings/<int:meeting_id>/start/", views.MeetingStartApi.as_view(), name="live-start"),
    path("live/meetings/<int:meeting_id>/end/", views.MeetingEndApi.as_view(), name="live-end"),
    path(
        "live/meetings/<int:meeting_id>/participants/<int:state_id>/mute/",
        views.ParticipantMuteApi.as_view(),
        name="live-mute",
    ),
    path(
        "live/meetings/<int:meeting_id>/participants/<int:state_id>/drop/",
        views.ParticipantDropApi.as_view(),
        name="live-drop",
    ),
    path(
        "live/meetings/<int:meeting_id>/sites/<int:bridge_point_id>/join/",
        views.JoinConfigApi.as_view(),
        name="live-join-config",
    ),
    path(
        "live/meetings/<int:meeting_id>/sites/<int:bridge_point_id>/readiness/",
        views.ReadinessApi.as_view(),
        name="live-readiness",
    ),
    path(
        "live/meetings/<int:meeting_id>/sites/<int:bridge_point_id>/session/",
        views.SessionClaimApi.as_view(),
        name="live-session-claim",
    ),
    path(
        "live/meetings/<int:meeting_id>/sites/<int:bridge_point_id>/floor/",
        views.FloorRequestApi.as_view(),
        name="live-floor-request",
    ),
    path("live/meetings/<int:meeting_id>/floor/give/", views.FloorGiveApi.as_view(), name="live-floor-give"),
    path("live/meetings/<int:meeting_id>/floor/take/", views.FloorTakeApi.as_view(), name="live-floor-take"),
    path("live/meetings/<int:meeting_id>/floor/decline/", views.FloorDeclineApi.as_view(), name="live-floor-decline"),
    path("live/meetings/<int:meeting_id>/floor/mode/", views.FloorModeApi.as_view(), name="live-floor-mode"),
    path("live/meetings/<int:meeting_id>/agenda/", views.AgendaSetApi.as_view(), name="live-agenda"),
]
