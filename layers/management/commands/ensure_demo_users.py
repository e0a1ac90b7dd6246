"""Create the demo accounts and the officers' groups (idempotent)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

from layers.access import OFFICER_GROUPS

DEMO_USERS = {
    # username: (password, groups, is_superuser)
    "demo.officer": ("demo-parola-2024", ["urbanism", "drumuri"], False),
    "demo.admin": ("demo-admin-2024", [], True),
}


class Command(BaseCommand):
    help = "Create the officers' groups and the demo officer and admin accounts."

    def handle(self, *args, **options) -> None:
        from django.contrib.auth import get_user_model

        layer_perms = Permission.objects.filter(content_type__app_label="layers")
        for name in OFFICER_GROUPS:
            group, _ = Group.objects.get_or_create(name=name)
            group.permissions.add(*layer_perms)
        user_model = get_user_model()
        for username, (password, groups, superuser) in DEMO_USERS.items():
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"is_staff": True, "is_superuser": superuser}
            )
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(*Group.objects.filter(name__in=groups))
        self.stdout.write(
            "Demo accounts: demo.officer / demo-parola-2024 (officer), "
            "demo.admin / demo-admin-2024 (administrator)"
        )
