"""Forms of the officers' pages; they only validate input, the services do the work."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from layers.access import OFFICER_GROUPS
from registratura.access import FRONT_DESK_GROUP
from registratura.models import Department, Document, DocumentKind, Register
from registratura.seed import GENERAL_REGISTER

OUTGOING_KINDS = ("raspuns", "act-emis")
PAPER_CHANNELS = [c for c in Document.Channel.choices if c[0] != Document.Channel.ONLINE]


def officers() -> QuerySet:
    """Users a document can be assigned to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=(*OFFICER_GROUPS, FRONT_DESK_GROUP))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class SearchForm(forms.Form):
    number = forms.CharField(label=_("Număr"), required=False, max_length=30)
    date_from = forms.DateField(
        label=_("De la data"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Până la data"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sender = forms.CharField(label=_("Expeditor / destinatar"), required=False, max_length=100)
    subject = forms.CharField(label=_("Conținut"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Stare"), required=False, choices=[("", "—"), *Document.Status.choices]
    )
    direction = forms.ChoiceField(
        label=_("Sens"), required=False, choices=[("", "—"), *Document.Direction.choices]
    )
    register = forms.ModelChoiceField(
        label=_("Registru"), required=False, queryset=Register.objects.all(), to_field_name="code"
    )


class EntryForm(forms.Form):
    """A paper, post or e-mail document entered at the front desk."""

    register = forms.ModelChoiceField(
        label=_("Registru"), queryset=Register.objects.all(), to_field_name="code"
    )
    kind = forms.ModelChoiceField(
        label=_("Tip de document"),
        queryset=DocumentKind.objects.filter(active=True).exclude(code__in=OUTGOING_KINDS),
    )
    channel = forms.ChoiceField(label=_("Canal"), choices=PAPER_CHANNELS)
    correspondent_name = forms.CharField(label=_("Expeditor"), max_length=200)
    correspondent_address = forms.CharField(label=_("Adresă"), max_length=300, required=False)
    correspondent_contact = forms.CharField(
        label=_("Contact (e-mail, telefon)"), max_length=200, required=False
    )
    subject = forms.CharField(
        label=_("Conținut pe scurt"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    pages = forms.IntegerField(label=_("Număr de file"), min_value=1, required=False)
    department = forms.ModelChoiceField(
        label=_("Compartiment"),
        queryset=Department.objects.filter(active=True),
        required=False,
        help_text=_("gol: compartimentul implicit al tipului de document"),
    )
    assigned_to = OfficerChoiceField(label=_("Funcționar"), queryset=officers(), required=False)
    scan = forms.FileField(
        label=_("Document scanat (PDF, JPEG sau PNG)"),
        required=False,
        help_text=_("tipul se verifică după conținut"),
    )
    notes = forms.CharField(
        label=_("Observații"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = officers()
        self.fields["register"].initial = GENERAL_REGISTER


class AnswerForm(forms.Form):
    """An outgoing answer to an incoming document."""

    channel = forms.ChoiceField(label=_("Transmis prin"), choices=Document.Channel.choices)
    correspondent_name = forms.CharField(label=_("Destinatar"), max_length=200)
    correspondent_address = forms.CharField(label=_("Adresă"), max_length=300, required=False)
    correspondent_contact = forms.CharField(
        label=_("Contact (e-mail, telefon)"), max_length=200, required=False
    )
    subject = forms.CharField(
        label=_("Conținut pe scurt"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    resolves = forms.BooleanField(
        label=_("Soluționează documentul de intrare"),
        required=False,
        initial=True,
        help_text=_("debifați pentru o notificare intermediară"),
    )
    scan = forms.FileField(label=_("Document scanat (PDF, JPEG sau PNG)"), required=False)


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Compartiment"), queryset=Department.objects.filter(active=True), required=False
    )
    officer = OfficerChoiceField(label=_("Funcționar"), queryset=officers(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()


class FileForm(forms.Form):
    reason = forms.CharField(label=_("Motivul clasării"), max_length=500)


class ReportForm(forms.Form):
    day = forms.DateField(label=_("Ziua"), widget=forms.DateInput(attrs={"type": "date"}))
    register = forms.ModelChoiceField(
        label=_("Registru"), required=False, queryset=Register.objects.all(), to_field_name="code"
    )
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("csv", "CSV")])
