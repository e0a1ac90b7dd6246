"""Requests and acts numbered before the register book existed become its lines: each
registered application an online incoming document, each issued act an outgoing one
answering it (what submit_application and issue now record as they go)."""

from django.db import migrations

CLOSED = {"issued": "solutionat", "rejected": "solutionat", "withdrawn": "clasat"}


def forwards(apps, schema_editor):
    Application = apps.get_model("permits", "Application")
    IssuedAct = apps.get_model("permits", "IssuedAct")
    Document = apps.get_model("registratura", "Document")
    DocumentKind = apps.get_model("registratura", "DocumentKind")
    Department = apps.get_model("registratura", "Department")
    departments = {d.code: d for d in Department.objects.all()}
    act_kind = DocumentKind.objects.filter(code="act-emis").first()
    lines = {}
    applications = (
        Application.objects.exclude(registration=None)
        .filter(registration__document__isnull=True)
        .select_related("kind", "applicant", "registration")
        .order_by("registration_id")
    )
    for a in applications:
        kind, _ = DocumentKind.objects.get_or_create(
            code=a.kind.code,
            defaults={"name": a.kind.name[:200], "deadline_days": a.kind.deadline_days},
        )
        contact = ", ".join(v for v in (a.applicant.email, a.applicant.phone) if v)
        status = CLOSED.get(a.state, "inregistrat")
        lines[a.pk] = Document.objects.create(
            entry=a.registration,
            direction="intrare",
            channel="online",
            kind=kind,
            correspondent_name=a.applicant.name[:200],
            correspondent_address=a.applicant.address[:300],
            correspondent_contact=contact[:200],
            subject=(f"{a.kind.name}: {a.description}" if a.description else a.kind.name)[:500],
            department=departments.get(a.kind.officer_group) or kind.department,
            due_date=a.due_date if status == "inregistrat" else None,
            status=status,
            resolved_at=None if status == "inregistrat" else a.updated_at,
            created_by=a.registration.created_by,
        )
    acts = IssuedAct.objects.filter(registration__document__isnull=True).select_related(
        "registration__register", "application__kind", "application__registration__register"
    )
    for act in acts:
        request = lines.get(act.application_id) or Document.objects.filter(
            entry_id=act.application.registration_id
        ).first()
        r, q = act.registration, act.application.registration
        name = act.application.kind.act_name or act.application.kind.name
        Document.objects.create(
            entry=r,
            direction="iesire",
            channel=request.channel if request else "ghiseu",
            kind=act_kind,
            correspondent_name=request.correspondent_name if request else "",
            correspondent_address=request.correspondent_address if request else "",
            correspondent_contact=request.correspondent_contact if request else "",
            subject=(
                f"{name} {r.register.prefix}-{r.number}/{r.year} la cererea "
                f"{q.register.prefix}-{q.number}/{q.year}"
            )[:500],
            status="expediat",
            in_reply_to=request,
            department=request.department if request else None,
            created_by=r.created_by,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0003_move_registers_to_registratura"),
        ("registratura", "0003_seed_kinds"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
