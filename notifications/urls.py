from django.urls import path

from notifications import views as v

app_name = "notifications"

urlpatterns = [
    path("", v.NotificationListView.as_view(), name="notification_list"),
    path("<int:pk>/read/", v.NotificationReadView.as_view(), name="notification_read"),
    path("read-all/", v.NotificationReadAllView.as_view(), name="notification_read_all"),
    path("preferences/", v.NotificationPreferencesView.as_view(), name="preferences"),
]
