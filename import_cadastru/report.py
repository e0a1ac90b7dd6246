"""The validation report of an import: counters and findings, JSON-ready, no personal data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Finding kinds, with the Romanian title shown on the report page.
KINDS = {
    "rejected_file": "Fișiere respinse",
    "rejected": "Obiecte respinse",
    "duplicate": "Duplicate în fișier",
    "invalid_repaired": "Geometrii invalide reparate (ST_MakeValid)",
    "overlap": "Suprapuneri cu vecinii peste toleranță",
    "area_difference": "Diferențe între suprafața din acte și cea măsurată",
    "outside_uat": "Parcele în afara UAT-ului lor",
    "rejected_building": "Construcții respinse",
    "attribute": "Valori ignorate sau presupuse",
    "crs": "Sistem de coordonate",
}
MAX_ITEMS = 500  # findings kept per kind; the count is always complete


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)

    def add(self, kind: str, source: str = "", key: str = "", detail: str = "", **extra) -> None:
        entry = self.findings.setdefault(kind, {"count": 0, "items": []})
        entry["count"] += 1
        if len(entry["items"]) < MAX_ITEMS:
            entry["items"].append({"source": source, "key": key, "detail": detail, **extra})

    def add_issue(self, issue: dict[str, Any]) -> None:
        self.add(
            issue["kind"],
            issue.get("source", ""),
            issue.get("key", ""),
            issue.get("detail", ""),
            **{k: v for k, v in issue.items() if k not in {"kind", "source", "key", "detail"}},
        )

    def add_counted(self, kind: str, total: int, items: list[dict[str, Any]]) -> None:
        """Findings fetched with a LIMIT, and their full count."""
        if not total:
            return
        entry = self.findings.setdefault(kind, {"count": 0, "items": []})
        entry["count"] += total
        room = MAX_ITEMS - len(entry["items"])
        entry["items"].extend(items[: max(room, 0)])

    def count(self, kind: str) -> int:
        return self.findings.get(kind, {}).get("count", 0)

    @property
    def warnings(self) -> int:
        return sum(entry["count"] for entry in self.findings.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": {
                k: self.counts.get(k, 0) for k in ("created", "updated", "unchanged", "rejected")
            },
            "findings": {
                kind: {"title": KINDS.get(kind, kind), **entry}
                for kind, entry in sorted(
                    self.findings.items(),
                    key=lambda kv: list(KINDS).index(kv[0]) if kv[0] in KINDS else 99,
                )
            },
            "messages": self.messages,
            "stats": dict(self.stats),
        }
