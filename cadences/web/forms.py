import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cadences.models import Channel


class CadenceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    business_days_only = forms.BooleanField(label=_("Business days only"), required=False, initial=True)
    window_start = forms.TimeField(label=_("Send window from"), initial=datetime.time(8, 0),
                                   widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))  # fmt: skip
    window_end = forms.TimeField(label=_("to"), initial=datetime.time(18, 0),
                                 widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))  # fmt: skip


class StepForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    wait_days = forms.IntegerField(label=_("Wait (days)"), min_value=0, max_value=365, initial=1)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    body = forms.CharField(label=_("Body"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    instructions = forms.CharField(label=_("Instructions for the rep"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    variant_subject = forms.CharField(label=_("Variant B subject"), required=False, max_length=300)
    variant_body = forms.CharField(
        label=_("Variant B body"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def step_values(self) -> dict:
        data = self.cleaned_data
        variants = []
        if data.get("variant_subject") or data.get("variant_body"):
            variants = [{"subject": data.get("variant_subject", ""), "body": data.get("variant_body", "")}]
        return {
            "channel": data["channel"],
            "wait_days": data["wait_days"],
            "subject": data.get("subject", ""),
            "body": data.get("body", ""),
            "instructions": data.get("instructions", ""),
            "variants": variants,
        }


class SendingPolicyForm(forms.Form):
    daily_send_cap = forms.IntegerField(label=_("Emails per rep per day"), min_value=0, max_value=10000)
    account_touch_cap = forms.IntegerField(label=_("Touches per company per week"), min_value=1, max_value=1000,
                                           required=False, help_text=_("Empty: no cap."))  # fmt: skip
    default_inbound_cadence = forms.TypedChoiceField(label=_("Cadence for inbound leads"), coerce=int,
                                                     required=False, empty_value=None)  # fmt: skip
    voicemail_followup_business_days = forms.IntegerField(label=_("Call again after a voicemail (business days)"),
                                                          min_value=0, max_value=30)  # fmt: skip

    def __init__(self, *args, cadences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_inbound_cadence"].choices = [("", _("None"))] + [
            (c.pk, c.name) for c in cadences
        ]
