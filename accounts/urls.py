from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("profile/api-token/", views.ApiTokenView.as_view(), name="api_token"),
    path("audit/", views.AuditLogView.as_view(), name="audit_log"),
]
