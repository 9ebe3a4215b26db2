from django.contrib.auth.decorators import login_required

from sdrcrm.core.web import render_page


@login_required
def handoff_inbox_view(request):
    return render_page(request, "handoffs/handoff_inbox.html", {})
