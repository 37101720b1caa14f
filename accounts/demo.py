"""One demo user per role. The password comes from DEMO_PASSWORD (default printed by seed_demo)."""

import os

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_roles
from sites.models import AdministrativeUnit

# (username, role, full name, unit code or "")
DEMO_USERS = [
    ("admin", Role.ADMINISTRATOR, "Quản trị hệ thống", ""),
    ("vanphong", Role.OFFICE_STAFF, "Lê Thị Hoa", ""),
    ("kythuat", Role.TECHNICIAN, "Trần Minh Khoa", ""),
    ("chutri", Role.HOST, "Phạm Quốc Huy", ""),
    ("tamhai", Role.COMMUNE_OFFICER, "Võ Thị Lan", "tam-hai"),
    ("kythuat-tamhai", Role.TECHNICIAN, "Nguyễn Văn Bình", "tam-hai"),
    ("taichinh", Role.FINANCE, "Đỗ Văn Tài", ""),
    ("lanhdao", Role.LEADER, "Nguyễn Hữu Chủ tịch", ""),
    ("congan", Role.POLICE_OPERATOR, "Huỳnh Văn Công", ""),
]


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD", "demo-portal-2026")


def load() -> None:
    for username, role, full_name, unit_code in DEMO_USERS:
        family, _, given = full_name.rpartition(" ")
        unit = AdministrativeUnit.objects.get(code=unit_code) if unit_code else None
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=given,
                last_name=family,
                unit=unit,
                email=f"{username}@nuithanh.example",
                is_staff=role == Role.ADMINISTRATOR,
                is_superuser=role == Role.ADMINISTRATOR,
            )
            user.set_password(demo_password())
            user.save()
        if sorted(user.role_names) != [role]:
            user_set_roles(user=user, roles=[role])
