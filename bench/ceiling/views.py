from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import loader

from bench.ceiling.models import CEILING_TEAM, CeilingRow


@login_required
def ceiling_view(request):
    """The bare minimum of a real page: session, user, one indexed 50-row SELECT, a small template."""
    rows = CeilingRow.objects.filter(team_id=CEILING_TEAM).order_by("-created_at")[:50]
    return HttpResponse(loader.render_to_string("ceiling/ceiling_rows.html", {"rows": rows}))
