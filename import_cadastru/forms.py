"""The officers' upload form: files plus the same options as the command line."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from import_cadastru.mapping import load_mapping_file
from import_cadastru.models import ImportRun
from import_cadastru.readers.errors import InputRefused
from layers.models import UAT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:  # an empty list passed the per-file check
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def _pairs(text: str, label: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise forms.ValidationError(
                _("%(label)s: fiecare rând are forma coloană=valoare, nu „%(line)s”."),
                params={"label": label, "line": line[:60]},
            )
        out[name.strip()] = value.strip()
    return out


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Fișiere"),
        help_text=_(
            "CGXML (.cgxml sau .zip cu mai multe fișiere), Shapefile arhivat .zip, GeoPackage, "
            "GeoJSON sau DXF. Pentru Shapefile neurhivat încărcați și .shx, .dbf, .prj, .cpg."
        ),
    )
    target = forms.ChoiceField(
        label=_("Destinație"),
        required=False,
        choices=[("", _("automat (CGXML → imobile, altfel parcele)"))]
        + [(v, label) for v, label in ImportRun.Target.choices],
    )
    uat = forms.TypedChoiceField(label=_("UAT"), required=False, coerce=int, empty_value=None)
    srs = forms.CharField(
        label=_("Sistem de coordonate"),
        required=False,
        max_length=120,
        help_text=_("Doar dacă fișierul nu îl declară, ex. EPSG:3844 (Stereo 70)."),
    )
    layer = forms.CharField(label=_("Strat"), required=False, max_length=120)
    fields_text = forms.CharField(
        label=_("Corespondență câmpuri"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un rând pe coloană: coloană=CÂMP_DIN_FIȘIER (ex. code=COD_UTR)."),
    )
    values_text = forms.CharField(
        label=_("Valori constante"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Un rând pe coloană: coloană=valoare (ex. plan_id=3, kind=natura2000)."),
    )
    mapping = forms.FileField(label=_("Fișier de corespondență (TOML)"), required=False)
    encoding = forms.CharField(label=_("Codificare atribute"), required=False, max_length=20)
    swap_axes = forms.BooleanField(label=_("Inversează axele X/Y"), required=False)
    skip_bad_files = forms.BooleanField(
        label=_("Respinge doar fișierele CGXML stricate (nu tot lotul)"), required=False
    )
    dry_run = forms.BooleanField(label=_("Simulare (nu salvează nimic)"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["uat"].choices = [("", _("din fișier"))] + [
            (u.siruta, f"{u.name} ({u.siruta})") for u in UAT.objects.order_by("name")
        ]

    def clean(self):
        data = super().clean()
        fields = _pairs(data.get("fields_text") or "", _("Corespondență câmpuri"))
        values = _pairs(data.get("values_text") or "", _("Valori constante"))
        upload = data.get("mapping")
        if upload:
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=".toml") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                try:
                    mapping = load_mapping_file(Path(handle.name))
                except InputRefused as exc:
                    raise forms.ValidationError(exc.message) from None
            fields = {**mapping["fields"], **fields}
            values = {**mapping["values"], **values}
            for key in ("target", "layer", "srs", "encoding"):
                if mapping.get(key) and not data.get(key):
                    data[key] = mapping[key]
        data["fields_map"] = fields
        data["values_map"] = values
        return data

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "target": data.get("target") or None,
            "uat": data.get("uat"),
            "srs": data.get("srs") or None,
            "layer": data.get("layer") or None,
            "fields": data["fields_map"],
            "values": data["values_map"],
            "encoding": data.get("encoding") or None,
            "swap_axes": bool(data.get("swap_axes")),
            "skip_bad_files": bool(data.get("skip_bad_files")),
            "overlap_tolerance": 1.0,
            "area_tolerance": 0.05,
        }
