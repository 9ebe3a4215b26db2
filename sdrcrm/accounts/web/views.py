from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sdrcrm.accounts import selectors, services
from sdrcrm.accounts.models import Role
from sdrcrm.core.web import render_page

ROLE_HOMES = {
    Role.SDR: "today",
    Role.BDR: "today",
    Role.AE: "handoff-inbox",
    Role.MANAGER: "dashboard",
    Role.ADMIN: "dashboard",
}


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses a username+address pair after too many failed attempts in the window."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many failed sign-in attempts. Wait a few minutes and try again."),
    }

    def _throttle_key(self) -> str:
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        username = (self.data.get("username") or "").strip().lower()
        return f"login-failures:{address}:{username}"

    def clean(self):
        key = self._throttle_key()
        if cache.get(key, 0) >= settings.LOGIN_ATTEMPTS_LIMIT:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_ATTEMPTS_WINDOW_SECONDS)
            raise


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home_view(request):
    return redirect(ROLE_HOMES[request.user.effective_role])


@login_required
def notification_list_view(request):
    notifications = selectors.notification_list_for_user(user=request.user)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render_page(
        request, "accounts/notification_list.html", {"page": page}, partial="notification-list"
    )


@login_required
@require_POST
def notification_read_view(request):
    ids = request.POST.getlist("id") or None
    services.notification_mark_read(user=request.user, notification_ids=ids)
    return redirect(request.POST.get("next") or "notifications")
