"""The built front-end (Vite, frontend/dist): its manifest and a view that serves it.

Vite writes content-hashed files and `.vite/manifest.json`; pages link the hashed files
of their entry point, which are served with a long cache lifetime. The build is not
committed (`frontend/build.sh` makes it); a missing build is an error with a clear message.
"""

from __future__ import annotations

import json
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

FRONTEND_DIR = Path(__file__).resolve().parent


class FrontendNotBuilt(RuntimeError):
    """frontend/dist is missing: run frontend/build.sh."""


def dist_dir() -> Path:
    """Where the build lives (setting FRONTEND_DIST_DIR, default frontend/dist)."""
    return Path(getattr(settings, "FRONTEND_DIST_DIR", FRONTEND_DIR / "dist"))


def _manifest_path() -> Path:
    return dist_dir() / ".vite" / "manifest.json"


@lru_cache(maxsize=4)
def _load_manifest(path: str, mtime: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def manifest() -> dict[str, Any]:
    path = _manifest_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError as exc:
        raise FrontendNotBuilt(
            f"The front-end is not built ({path} is missing): run frontend/build.sh"
        ) from exc
    return _load_manifest(str(path), mtime)


def entry_files(entry: str) -> dict[str, list[str]]:
    """The script, its preloaded imports and the stylesheets of a Vite entry point."""
    data = manifest()
    key = f"src/{entry}.js"
    if key not in data:
        raise FrontendNotBuilt(f"Entry {key} is not in the front-end build: rebuild it")
    scripts, css, preload, seen = [data[key]["file"]], [], [], set()

    def walk(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        chunk = data[name]
        css.extend(c for c in chunk.get("css", []) if c not in css)
        for imported in chunk.get("imports", []):
            preload.append(data[imported]["file"])
            walk(imported)

    walk(key)
    return {"scripts": scripts, "css": css, "preload": preload}


@require_GET
def serve_asset(request: HttpRequest, path: str) -> FileResponse:
    """A file of the build. Hashed names never change, so they are cached for a year."""
    root = dist_dir().resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file() or ".vite" in target.parts:
        raise Http404("No such asset")
    content_type, _ = mimetypes.guess_type(target.name)
    response = FileResponse(target.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
