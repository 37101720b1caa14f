from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as accounts_views
from common import views as common_views
from live.api.views import janus_events

api_patterns = [
    path("", include("sites.api.urls")),
    path("", include("meetings.api.urls")),
    path("", include("cameras.api.urls")),
    path("", include("investments.api.urls")),
    path("", include("live.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("dashboards.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The API map needs a login: the schema answers 401/403 to anonymous clients, Swagger UI sends
    # them to the login page (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]).
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]

urlpatterns = [
    # Janus posts every event here, many a second during a briefing: matched first, before the resolver
    # tries (and records for its 404 page) the dozens of API patterns that come before it in `api/`.
    path("api/janus/events/", janus_events, name="live-janus-events"),
    path("", common_views.HomeView.as_view(), name="home"),
    path("search/", common_views.SearchView.as_view(), name="search"),
    path("healthz", common_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    # Django's set_language (django.conf.urls.i18n), which also keeps the choice on the account.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("sites/", include("sites.urls")),
    path("meetings/", include("meetings.urls")),
    path("cameras/", include("cameras.urls")),
    path("investments/", include("investments.urls")),
    path("live/", include("live.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("notifications/", include("notifications.urls")),
]
# MEDIA_ROOT is not served in any mode: uploads go through access-checked views (common.files).
