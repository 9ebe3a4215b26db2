from django.contrib.auth.decorators import login_required

from sdrcrm.core.web import render_page


@login_required
def today_view(request):
    return render_page(request, "cadences/today.html", {})
