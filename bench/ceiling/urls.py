from django.urls import path

from bench.ceiling.views import ceiling_view

urlpatterns = [path("ceiling/", ceiling_view, name="bench-ceiling")]
