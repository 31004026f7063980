"""Staff accounts: who may log in, in which role, for which section. Passwords hashed with argon2."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .case import SECTION_BOUND_ROLES, Actor, Role
from .errors import ValidationError
from .inputs import Form, column_limit, refusal, too_long
from .storage.models import StaffRow, database_proxy

MAX_USERNAME = column_limit(StaffRow.username)
_hasher = PasswordHasher()
# Compared against when the username is unknown, so a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("onewindow-no-such-user")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash passwords with ``hasher`` from now on (argon2's defaults otherwise).

    Stored hashes made with other parameters still verify, and are re-hashed with the new
    ones at their next sign-in. The test suite uses argon2's cheapest parameters this way.
    """
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("onewindow-no-such-user")



def _trace(key: bytes | None, action: str, by: str, username: str, data: dict) -> None:
    """Chain an account change into the audit trail (no case number), when a key is given."""
    if key is None:
        return
    from . import audit
    from .services import hall_now

    audit.append_record(key, case_number=None, action=action, actor=by, role=Role.ADMIN.value,
                        at=hall_now(), data={"username": username, **data})


def record_failed_login(username: str, *, audit_key: bytes, locked: bool = False) -> int:
    """Chain a failed or locked-out sign-in into the audit trail, in its own transaction.

    The typed username is kept as typed (cut to the column's 64 characters) except that
    anything looking like a resident ID number is masked: people type their own.
    """
    from . import audit
    from .privacy import audit_username
    from .services import hall_now

    with database_proxy.atomic():
        return audit.append_record(audit_key, case_number=None, action=audit.LOGIN_FAILED,
                                   actor=audit_username(username), role="", at=hall_now(),
                                   reason="账号已锁定" if locked else "用户名或密码错误",
                                   data={"locked": locked})


def create_staff(username: str, display_name: str, role: Role | str, password: str,
                 section: str | None = None, *, audit_key: bytes | None = None,
                 by: str = "system") -> Actor:
    """Add a member of staff; raise :class:`ValidationError` naming each bad field.

    With ``audit_key`` the creation is chained into the audit trail, in the same transaction.
    """
    form = Form({"display_name": display_name, "section": section or ""})
    display_name = form.text("display_name", limit=column_limit(StaffRow.display_name),
                             required="请填写姓名")
    section = form.text("section", limit=column_limit(StaffRow.section)) or None
    errors = form.errors
    username = username.strip()
    if not username or not username.isascii() or not username.replace("_", "").isalnum():
        errors["username"] = "用户名只能由字母、数字和下划线组成"
    elif problem := too_long(username, MAX_USERNAME):
        errors["username"] = problem
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = "未知的角色"
    if len(password) < 8:
        errors["password"] = "密码至少8位"
    if isinstance(role, Role) and role in SECTION_BOUND_ROLES and not section:
        errors.setdefault("section", "审批人员和科室负责人必须指定所属科室")
    if not errors and StaffRow.get_or_none(StaffRow.username == username):
        errors["username"] = "该用户名已存在"
    if errors:
        raise ValidationError(errors)
    with database_proxy.atomic():
        StaffRow.create(username=username, display_name=display_name.strip(), role=role.value,
                        section=section or None, password_hash=_hasher.hash(password))
        _trace(audit_key, "staff_create", by, username,
               {"role": role.value, "section": section or ""})
    return Actor(username=username, role=role, section=section or None,
                 display_name=display_name.strip())


def deactivate(username: str, *, audit_key: bytes | None = None, by: str = "system") -> None:
    """Take an account out of service at once (the web re-reads the actor on each request)."""
    with database_proxy.atomic():
        updated = (StaffRow.update(active=False,
                                   session_generation=StaffRow.session_generation + 1)
                   .where(StaffRow.username == username).execute())
        if not updated:
            raise ValidationError({"username": f"没有用户名为 {username} 的账号"})
        _trace(audit_key, "staff_deactivate", by, username, {})


def _actor(row: StaffRow) -> Actor:
    return Actor(username=row.username, role=Role(row.role), section=row.section,
                 display_name=row.display_name)


def authenticate(username: str, password: str) -> Actor | None:
    """The actor for a correct username and password, else None (same cost either way).

    A username no account can have (a NUL, a control character, longer than the column) is
    never looked up: PostgreSQL refuses a NUL outright.
    """
    username = username.strip()
    possible = not refusal(username) and not too_long(username, MAX_USERNAME)
    row = (StaffRow.get_or_none((StaffRow.username == username) & StaffRow.active)
           if possible else None)
    secret = password.encode("utf-8", "surrogatepass")  # a lone surrogate is a wrong password
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, secret)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        with database_proxy.atomic():
            StaffRow.update(password_hash=_hasher.hash(secret)).where(
                StaffRow.id == row.id).execute()
    return _actor(row)


def get_actor(username: str) -> Actor | None:
    """The active member of staff named ``username``."""
    row = StaffRow.get_or_none((StaffRow.username == username) & StaffRow.active)
    return _actor(row) if row else None


def session_generation(username: str) -> int | None:
    """The account's current session generation, stored in a session at login."""
    row = StaffRow.get_or_none((StaffRow.username == username) & StaffRow.active)
    return row.session_generation if row else None


def session_actor(username: str, generation: object) -> Actor | None:
    """The actor for a web session, or None when the account is inactive or the session was
    ended (logout, deactivation) after it began: re-read on every request, one query."""
    row = StaffRow.get_or_none((StaffRow.username == username) & StaffRow.active)
    if row is None or row.session_generation != generation:
        return None
    return _actor(row)


def end_sessions(username: str) -> None:
    """End every session of ``username`` (logout): a copied cookie stops working at once."""
    with database_proxy.atomic():
        StaffRow.update(session_generation=StaffRow.session_generation + 1).where(
            StaffRow.username == username).execute()


def display_name(username: str | None) -> str:
    """A colleague's display name for a message (the username if the account is gone)."""
    row = StaffRow.get_or_none(StaffRow.username == username)
    return row.display_name if row else str(username)


def display_names() -> dict[str, str]:
    """Every account's display name by username (one query; a hall has a few hundred staff),
    so histories and printed documents name people, not login names."""
    return {row.username: row.display_name
            for row in StaffRow.select(StaffRow.username, StaffRow.display_name)}
