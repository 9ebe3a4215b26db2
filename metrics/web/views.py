from django.contrib.auth.decorators import login_required

from sdrcrm.accounts.models import Role
from sdrcrm.accounts.selectors import team_members
from sdrcrm.core.selectors import scheduler_status
from sdrcrm.core.web import render_page


@login_required
def dashboard_view(request):
    team = request.user.team
    members = team_members(team=team) if team else []
    roster = {role.label: [m for m in members if m.role == role] for role in Role if role != Role.ADMIN}
    return render_page(
        request,
        "metrics/dashboard.html",
        {"team": team, "roster": roster, "scheduler": scheduler_status()},
    )
