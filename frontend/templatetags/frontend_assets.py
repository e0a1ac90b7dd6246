"""{% frontend_entry "officer" %}: the <link>/<script> tags of a built entry point."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from frontend.assets import entry_files

register = template.Library()


def _url(name: str) -> str:
    return reverse("frontend:asset", kwargs={"path": name})


@register.simple_tag
def frontend_entry(entry: str) -> SafeString:
    files = entry_files(entry)
    css = format_html_join(
        "\n", '<link rel="stylesheet" href="{}">', ((_url(f),) for f in files["css"])
    )
    preload = format_html_join(
        "\n", '<link rel="modulepreload" href="{}">', ((_url(f),) for f in files["preload"])
    )
    scripts = format_html_join(
        "\n", '<script type="module" src="{}"></script>', ((_url(f),) for f in files["scripts"])
    )
    return format_html("{}\n{}\n{}", css, preload, scripts)
