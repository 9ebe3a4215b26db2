from csp.decorators import csp_exempt
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

DOMAIN_APPS = ["leads", "cadences", "handoffs", "metrics"]

api_patterns = [
    path("", include("sdrcrm.accounts.api.urls")),
    *[path("", include(f"{app}.api.urls")) for app in DOMAIN_APPS],
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", csp_exempt()(SpectacularSwaggerView.as_view(url_name="api-schema")), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("", include("sdrcrm.audit.urls")),
    path("", include("sdrcrm.accounts.web.urls")),
    *[path("", include(f"{app}.web.urls")) for app in DOMAIN_APPS],
]
if "bench.ceiling" in settings.INSTALLED_APPS:
    urlpatterns.append(path("bench/", include("bench.ceiling.urls")))

handler404 = "sdrcrm.core.views.not_found"
handler500 = "sdrcrm.core.views.server_error"
