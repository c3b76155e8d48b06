"""Named queries against `staff` (one row per staff member: e-mail, password, role, status; the
view `v_staff` adds the second factor's status)."""

from __future__ import annotations

from infra.ports import Database, Row, Statement


async def for_login(db: Database, email: str) -> Row | None:
    """The staff member's login: subject, password hash, role, status."""
    return await (
        db.prepare(
            "SELECT staff_id AS subject, password_hash, role, status FROM staff WHERE email = ?"
        )
        .bind(email)
        .first()
    )


async def credentials(db: Database, staff_id: str) -> Row | None:
    """The staff member's e-mail and password hash."""
    return await (
        db.prepare("SELECT email, password_hash FROM staff WHERE staff_id = ?")
        .bind(staff_id)
        .first()
    )


async def member(db: Database, staff_id: str) -> Row | None:
    """The staff member's id, e-mail, role and status."""
    return await (
        db.prepare("SELECT staff_id, email, role, status FROM staff WHERE staff_id = ?")
        .bind(staff_id)
        .first()
    )


async def listing(db: Database) -> list[Row]:
    """Every staff member with their second factor's status, oldest first."""
    return await db.prepare(
        "SELECT staff_id, email, role, status, created_at, password_changed_at, mfa_status "
        "FROM v_staff ORDER BY created_at, staff_id"
    ).all()


def insert(
    db: Database,
    staff_id: str,
    email: str,
    password_hash: str,
    role: str,
    created_at: str,
    created_by: str,
) -> Statement:
    """A new staff member (for a batch with the audit entry)."""
    return db.prepare(
        "INSERT INTO staff (staff_id, email, password_hash, role, created_at, "
        "created_by) VALUES (?, ?, ?, ?, ?, ?)"
    ).bind(staff_id, email, password_hash, role, created_at, created_by)


def set_role_and_status(db: Database, staff_id: str, role: str, status: str) -> Statement:
    """The staff member's role and status (for a batch)."""
    return db.prepare("UPDATE staff SET role = ?, status = ? WHERE staff_id = ?").bind(
        role, status, staff_id
    )


def set_password_hash(db: Database, staff_id: str, password_hash: str) -> Statement:
    """The staff member's new password hash (for a batch)."""
    return db.prepare("UPDATE staff SET password_hash = ? WHERE staff_id = ?").bind(
        password_hash, staff_id
    )


def set_password_changed_at(db: Database, staff_id: str, at: str) -> Statement:
    """When the staff member last changed their password (for a batch)."""
    return db.prepare("UPDATE staff SET password_changed_at = ? WHERE staff_id = ?").bind(
        at, staff_id
    )


def reset_password(db: Database, staff_id: str, password_hash: str, at: str) -> Statement:
    """The staff member's password reset to `password_hash` at `at` (for a batch)."""
    return db.prepare(
        "UPDATE staff SET password_hash = ?, password_changed_at = ? WHERE staff_id = ?"
    ).bind(password_hash, at, staff_id)
