from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from brokerdesk.access import views as access_views
from brokerdesk.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("login/", access_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", access_views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/", include("brokerdesk.org.urls")),
    path("approvals/", include("brokerdesk.approvals.urls")),
    path("planning/", include("brokerdesk.planning.urls")),
    path("attendance/", include("brokerdesk.attendance.urls")),
    path("worklogs/", include("brokerdesk.worklogs.urls")),
    path("meetings/", include("brokerdesk.meetings.urls")),
    path("clients/", include("brokerdesk.clients.urls")),
    path("performance/", include("brokerdesk.performance.urls")),
    path("people/", include("brokerdesk.people.urls")),
    path("archives/", include("brokerdesk.archives.urls")),
    path("assets/", include("brokerdesk.assets.urls")),
    path("api/", include("brokerdesk.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
