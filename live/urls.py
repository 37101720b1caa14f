from django.urls import path

from live import views

app_name = "live"

urlpatterns = [
    path("", views.MeetingListView.as_view(), name="index"),
    path("meetings/<int:pk>/board/", views.BoardView.as_view(), name="board"),
    path("meetings/<int:pk>/readiness/", views.ReadinessBoardView.as_view(), name="readiness"),
    path("meetings/<int:pk>/sites/<int:bridge_point_id>/", views.RoomView.as_view(), name="join"),
    path("meetings/<int:pk>/sites/<int:bridge_point_id>/checklist/", views.ChecklistView.as_view(), name="checklist"),
    path("meetings/<int:pk>/archive/", views.ArchiveView.as_view(), name="archive"),
    path("meetings/<int:pk>/recordings/<int:recording_pk>/", views.RecordingFileView.as_view(), name="recording_file"),
]
