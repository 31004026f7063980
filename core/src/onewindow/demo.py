"""Load demo staff and sample cases from ``fixtures/``.

Sample cases are played through the real services step by step (open, review, take in,
accept, ...), so every demo case obeys the lifecycle rules and sits in the audit trail like any
other. Loading twice adds no duplicate staff.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from . import accounts
from .case import ReviewOutcome
from .errors import ValidationError
from .lifecycle import applicable_materials, item_of
from .services import Hall
from .workdays import add_working_days


def _load(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _demo_outcome(material, point, failing) -> ReviewOutcome:
    if (material.code, point.code) in failing:
        return ReviewOutcome.FAILED
    return ReviewOutcome.PASSED if material.required else ReviewOutcome.NOT_APPLICABLE


def demo_accounts(hall: Hall, fixtures: str | Path = "fixtures") -> list[str]:
    """One line per demo account, for ``make demo`` to print."""
    from .case import Role
    from .labels import ROLE_LABELS

    def section(code: str | None) -> str:
        known = hall.catalogue.sections.get(code) if code else None
        return f"（{known.name if known else code}）" if code else ""

    return [f"  {e['username']:<22} {e['password']:<18} {ROLE_LABELS[Role(e['role'])]}"
            + section(e.get("section"))
            for e in _load(Path(fixtures) / "staff.toml").get("staff", [])]


def load_demo(hall: Hall, fixtures: str | Path = "fixtures") -> Iterator[str]:
    """Create demo staff and cases; yield one line per thing done, for the terminal."""
    fixtures = Path(fixtures)
    staff = _load(fixtures / "staff.toml").get("staff", [])
    actors = {}
    for entry in staff:
        try:
            actors[entry["username"]] = accounts.create_staff(
                entry["username"], entry["display_name"], entry["role"], entry["password"],
                entry.get("section"), audit_key=hall.settings.audit_key, by="demo")
            yield f"staff {entry['username']} created"
        except ValidationError as exc:
            if "username" not in exc.errors:
                raise
            actors[entry["username"]] = accounts.get_actor(entry["username"])
    existing = {c.applicant.name for c in hall.list_cases(limit=1000)}
    for sample in _load(fixtures / "cases.toml").get("cases", []):
        if sample["item"] not in hall.catalogue.items:
            yield f"sample case for {sample['item']} skipped: its plugin is not installed"
            continue
        if sample["applicant"]["name"] in existing:
            continue
        case = hall.open_case(actors[sample["window"]], sample["item"], sample["applicant"])
        item = item_of(case)
        failing = {tuple(f.split("/")) for f in sample.get("fail", [])}
        marks = [(m.code, p.code, _demo_outcome(m, p, failing),
                  "演示：材料不符合要求" if (m.code, p.code) in failing else "")
                 for m in applicable_materials(case, item) for p in m.review_points]
        hall.review(actors[sample["window"]], case.number, marks)
        for code in sample.get("defer", []):
            material = item.material(code)
            due = add_working_days(hall.clock().date(), material.deferral.max_days)
            hall.act(actors[sample["window"]], case.number, "defer", params={
                "material": code, "due_date": due, "commitment_signed": True})
        for step in sample.get("steps", []):
            hall.act(actors[step["by"]], case.number, step["action"],
                     reason=step.get("reason", ""))
        yield f"sample case {case.number} ({item.name}, {sample['applicant']['name']}) " \
              f"is {hall.get_case(case.number).state.value}"
