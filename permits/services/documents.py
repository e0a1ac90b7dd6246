"""PDF documents with WeasyPrint, confined to the project's own data.

WeasyPrint's default fetcher reads file:// URLs and makes network requests (DOMAIN.md);
here it gets a fetcher that serves only the in-memory resources handed to it (the map
extracts) and refuses everything else, so text an applicant typed can neither read a
local file nor call out, even if it were ever rendered unescaped (Django autoescapes it).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

RESOURCE_SCHEME = "gisapp-res:"
ALLOWED_DATA_TYPES = {"image/png", "image/jpeg"}


class BlockedResource(ValueError):
    """A URL outside the resources of this document."""


class InMemoryFetcher(URLFetcher):
    """Serves `gisapp-res:NAME` from a dict and small inline PNG/JPEG data: URIs; no file
    system, no network (the parent's handlers are never reached)."""

    def __init__(self, resources: dict[str, tuple[bytes, str]] | None = None):
        super().__init__(allowed_protocols=set(), allow_redirects=False, fail_on_errors=False)
        self.resources = dict(resources or {})
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith(RESOURCE_SCHEME) and url in self.resources:
            data, mime = self.resources[url]
            self.served.append(url)
            return URLFetcherResponse(url, data, {"Content-Type": mime})
        if url.startswith("data:"):
            header, _, payload = url[5:].partition(",")
            mime = header.split(";")[0].strip().lower()
            if mime in ALLOWED_DATA_TYPES and header.endswith(";base64"):
                self.served.append("data:" + mime)
                return URLFetcherResponse(
                    "data:", base64.b64decode(payload), {"Content-Type": mime}
                )
        self.refused.append(url[:200])
        raise BlockedResource(f"Resursă externă blocată: {url[:80]}")

    def __call__(self, url: str) -> URLFetcherResponse:
        return self.fetch(url)


@dataclass
class RenderedPdf:
    data: bytes
    pages: int
    sha256: str
    refused_urls: list[str] = field(default_factory=list)


def render_pdf(
    *,
    template: str,
    context: dict[str, Any],
    resources: dict[str, tuple[bytes, str]] | None = None,
) -> RenderedPdf:
    """Render a Django template (autoescaped) to PDF with the in-memory fetcher."""
    return html_to_pdf(render_to_string(template, context), resources)


_fonts = threading.local()


def font_config() -> FontConfiguration:
    """One font configuration per thread, reused by every document: setting one up (a
    fontconfig configuration, Pango's font map) cost about a tenth of a dossier's PDF."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def html_to_pdf(html: str, resources: dict[str, tuple[bytes, str]] | None = None) -> RenderedPdf:
    """WeasyPrint alone: the HTML with the in-memory fetcher."""
    fetcher = InMemoryFetcher(resources)
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(
        font_config=font_config()
    )
    data = document.write_pdf()
    return RenderedPdf(
        data=data,
        pages=len(document.pages),
        sha256=hashlib.sha256(data).hexdigest(),
        refused_urls=fetcher.refused,
    )
