from django.conf import settings
from django.contrib import messages
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
from sdrcrm.accounts.models import Role, Team
from sdrcrm.accounts.web.forms import AwayForm, TeamSettingsForm
from sdrcrm.core.errors import DomainError, NotAllowed, NotFound
from sdrcrm.core.web import add_domain_error, render_page

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


def _managed_team(request):
    """The team the manager runs (an admin picks one with ?team=). 404 for anyone else's."""
    user = request.user
    team_id = request.GET.get("team") or request.POST.get("team") or user.team_id
    if team_id is None and user.is_admin:
        team_id = Team.objects.order_by("name").values_list("pk", flat=True).first()
    try:
        return selectors.team_get_for_user(user=user, team_id=int(team_id))
    except (TypeError, ValueError) as error:
        raise NotFound("Team not found.") from error


def _team_page_context(team, form=None, new_key=None):
    return {
        "team": team,
        "form": form or TeamSettingsForm(instance=team),
        "members": selectors.team_members(team=team, active_only=False),
        "new_key": new_key,
    }


@login_required
def team_settings_view(request):
    try:
        team = _managed_team(request)
    except (NotFound, NotAllowed):
        return render_page(request, "404.html", {}, status=404)
    if request.method == "POST":
        form = TeamSettingsForm(request.POST, instance=Team.objects.get(pk=team.pk))
        if form.is_valid():
            try:
                services.team_update(team=team, by=request.user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Team settings saved."))
                return redirect(f"{request.path}?team={team.pk}")
        return render_page(request, "accounts/team_settings.html", _team_page_context(team, form), status=400)
    return render_page(request, "accounts/team_settings.html", _team_page_context(team))


@login_required
@require_POST
def team_rotate_key_view(request):
    try:
        team = _managed_team(request)
    except (NotFound, NotAllowed):
        return render_page(request, "404.html", {}, status=404)
    new_key = services.team_rotate_api_key(team=team, by=request.user)
    return render_page(
        request, "accounts/team_settings.html", _team_page_context(team, new_key=new_key), partial="api-key"
    )


@login_required
@require_POST
def member_away_view(request, user_id: int):
    try:
        member = selectors.user_get_for_user(user=request.user, user_id=user_id)
    except (NotFound, NotAllowed):
        return render_page(request, "404.html", {}, status=404)
    form = AwayForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.user_update(user=member, by=request.user, away_until=form.cleaned_data["away_until"])
        except DomainError as error:
            add_domain_error(form, error)
    if form.errors:
        status = 400
        member.refresh_from_db()
    context = _team_page_context(member.team)
    context["member"] = member
    context["away_errors"] = [message for messages in form.errors.values() for message in messages]
    return render_page(request, "accounts/team_settings.html", context, partial="member-row", status=status)
