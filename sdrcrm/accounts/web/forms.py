from django import forms
from django.utils.translation import gettext_lazy as _

from sdrcrm.accounts.models import Team


class TeamSettingsForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["mql_threshold", "handoff_sla_hours", "speed_to_lead_minutes", "daily_touch_goal"]
        help_texts = {
            "mql_threshold": _("A lead whose ICP score reaches this becomes an MQL (0–100)."),
            "handoff_sla_hours": _("How long an AE has to accept or reject a handoff."),
            "speed_to_lead_minutes": _("An inbound lead not touched within this raises an alert."),
            "daily_touch_goal": _("Touches per rep per day, shown on the Today page."),
        }


class AwayForm(forms.Form):
    away_until = forms.DateField(
        label=_("Away until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
