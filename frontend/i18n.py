"""Language of the pages: Romanian unless the visitor chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language (English for most
headless and many office browsers); a county council's site speaks Romanian by default,
so only the language cookie set by the switch (django.views.i18n.set_language) counts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation
from django.views.i18n import JavaScriptCatalog


def chosen_language(request: HttpRequest) -> str:
    """The language of the cookie if it is one of settings.LANGUAGES, else the default."""
    wanted = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    codes = {code for code, _ in settings.LANGUAGES}
    return wanted if wanted in codes else settings.LANGUAGE_CODE


def romanian_by_default(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run `view` (which must render eagerly) in the visitor's chosen language."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = chosen_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapper


def js_catalog(language: str) -> dict[str, Any]:
    """The `djangojs` catalogue of the front-end for `language`, in the same shape as
    django.views.i18n.JSONCatalog (catalog, plural), to embed in the page."""
    view = JavaScriptCatalog(domain="djangojs", packages=["frontend"])
    view.translation = DjangoTranslation(
        language, domain="djangojs", localedirs=view.get_paths(["frontend"])
    )
    context = view.get_context_data()
    return {"catalog": context["catalog"], "plural": context["plural"], "language": language}
