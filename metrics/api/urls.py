from django.urls import path

from metrics.api import views

urlpatterns = [
    path("metrics/funnel/", views.FunnelApi.as_view(), name="api-metrics-funnel"),
    path("metrics/leaderboard/", views.LeaderboardApi.as_view(), name="api-metrics-leaderboard"),
    path("metrics/steps/", views.StepsApi.as_view(), name="api-metrics-steps"),
    path("metrics/dashboard/", views.DashboardApi.as_view(), name="api-metrics-dashboard"),
    *[
        path(
            f"metrics/{table}/export/",
            views.ExportApi.as_view(table=table),
            name=f"api-metrics-{table}-export",
        )
        for table in ("funnel", "leaderboard", "steps", "trends", "decisions", "coverage", "icp-fit")
    ],
]
