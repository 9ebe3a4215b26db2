from django import forms
from django.utils.translation import gettext_lazy as _

from handoffs.models import (
    ALWAYS_REQUIRED,
    REQUIRABLE_FIELDS,
    MeetingOutcome,
    NextStep,
    OpportunityStage,
    RejectReason,
)
from sdrcrm.accounts.models import User

FIELD_LABELS = {
    "budget": _("Budget"),
    "authority": _("Authority"),
    "need": _("Need"),
    "timeline": _("Timeline"),
    "users": _("Users"),
    "decision_process": _("Decision process"),
    "notes": _("Notes"),
    "meeting_at": _("Booked meeting"),
}
FIELD_HELP = {
    "budget": _("Is money set aside? How much, and who holds it?"),
    "authority": _("Who signs, and who else must agree?"),
    "need": _("The pain, in the prospect's words."),
    "timeline": _("When must it be solved, and why then?"),
    "users": _("Who would use it, and how many?"),
    "decision_process": _("Steps between now and a signature."),
}


def _text(label, rows=2, required=False, help_text=""):
    return forms.CharField(
        label=label, required=required, help_text=help_text, max_length=2000,
        widget=forms.Textarea(attrs={"rows": rows}),
    )  # fmt: skip


class HandoffForm(forms.Form):
    next_step = forms.ChoiceField(label=_("Next step"), choices=NextStep.choices, initial=NextStep.DEMO)
    ae = forms.ModelChoiceField(
        label=_("AE"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Round-robin (next available AE)"),
    )
    meeting_at = forms.DateTimeField(
        label=FIELD_LABELS["meeting_at"],
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your time zone. The AE gets a calendar invitation."),
    )
    budget = _text(FIELD_LABELS["budget"], help_text=FIELD_HELP["budget"])
    authority = _text(FIELD_LABELS["authority"], help_text=FIELD_HELP["authority"])
    need = _text(FIELD_LABELS["need"], help_text=FIELD_HELP["need"])
    timeline = _text(FIELD_LABELS["timeline"], help_text=FIELD_HELP["timeline"])
    users = _text(FIELD_LABELS["users"], help_text=FIELD_HELP["users"])
    decision_process = _text(FIELD_LABELS["decision_process"], help_text=FIELD_HELP["decision_process"])
    notes = _text(FIELD_LABELS["notes"], rows=3)

    def __init__(self, *args, aes=None, required_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ae"].queryset = aes if aes is not None else User.objects.none()
        for name in required_fields:
            if name in self.fields:
                self.fields[name].required = True

    def qualification_fields(self):
        return [
            self[name] for name in ("budget", "authority", "need", "timeline", "users", "decision_process")
        ]


class AcceptForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    expected_close = forms.DateField(
        label=_("Expected close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason…")), *RejectReason.choices]
    )
    note = forms.CharField(
        label=_("Note for the SDR"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeetingForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Meeting"), choices=MeetingOutcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class RulesForm(forms.Form):
    required_fields = forms.MultipleChoiceField(
        label=_("Also required"),
        required=False,
        choices=[(name, FIELD_LABELS[name]) for name in REQUIRABLE_FIELDS if name not in ALWAYS_REQUIRED],
        widget=forms.CheckboxSelectMultiple,
    )
    sla_hours = forms.IntegerField(label=_("AE response SLA (hours)"), min_value=1, max_value=720)


class OpportunityStageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=OpportunityStage.choices)
    lost_reason = forms.CharField(label=_("Lost reason"), required=False, max_length=300)


class OpportunityCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), min_value=0, max_digits=14, decimal_places=2)
    expected_close = forms.DateField(
        label=_("Expected close"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
