"""People, machines and days in the admin API: users, devices and the calendar overrides."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import errors
from onestop.enums import Role
from server import admin_base, auth, models, seed, throttle, tickets
from server import admin_schemas as s
from server.admin_base import Kind, ensure_unique, existing, exists, refuse_if

# ---------------------------------------------------------------- users


def _user_out(_session: orm.Session, row: models.User) -> s.UserOut:
    return s.UserOut.model_validate(row, from_attributes=True)


def _other_active_admin(session: orm.Session, row: models.User) -> bool:
    return (
        session.scalar(
            sa.select(models.User.id)
            .where(models.User.role == Role.ADMIN, models.User.active, models.User.id != row.id)
            .limit(1)
        )
        is not None
    )


def _guard_last_admin(session: orm.Session, row: models.User, what: str) -> None:
    if row.role is Role.ADMIN and row.active and not _other_active_admin(session, row):
        raise errors.IllegalTransition(
            f"«{row.username}» là tài khoản quản trị cuối cùng đang hoạt động; không thể {what}."
        )


def revoke_tokens(session: orm.Session, user_id: int) -> None:
    session.execute(sa.delete(models.AccessToken).where(models.AccessToken.user_id == user_id))


def _write_user(session: orm.Session, row: models.User | None, v: s.UserIn) -> models.User:
    existing(session, models.Centre, v.centre_id, "centre_id", "trung tâm")
    ensure_unique(
        session, row, models.User.username, v.username, f"Tên đăng nhập «{v.username}» đã có người dùng."
    )
    if row is None and v.password is None:
        raise errors.InvalidValue("password", "Cần đặt mật khẩu (ít nhất 8 ký tự) cho tài khoản mới.")
    if v.centre_id is None and v.role is not Role.ADMIN:
        # Only an administrator of the province works for no one centre.
        raise errors.InvalidValue("centre_id", "Tài khoản cán bộ, giám sát phải thuộc một trung tâm.")
    if row is not None and (v.role is not Role.ADMIN or not v.active):
        _guard_last_admin(session, row, "bỏ quyền quản trị hoặc ngừng sử dụng")
    if row is not None and ((row.active and not v.active) or v.password is not None):
        # A new password (or the end of the account) signs out every session it had.
        revoke_tokens(session, row.id)
    if row is None:
        row = models.User()
        session.add(row)
    seed.assign(row, v.model_dump(exclude={"password"}))
    if v.password is not None:
        row.password_hash = auth.hash_password(v.password)
    return row


def _delete_user(session: orm.Session, row: models.User) -> None:
    _guard_last_admin(session, row, "xoá")
    worked = (
        exists(models.Ticket.officer_id == row.id)
        | exists(models.Dossier.officer_id == row.id)
        | exists(models.DossierRating.officer_id == row.id)
        | exists(models.Counter.officer_id == row.id)
    )
    refuse_if(session, worked, f"Cán bộ «{row.username}» đã phục vụ công dân; {admin_base.STOP_USING}.")
    revoke_tokens(session, row.id)
    # Stored replies to the user's retried requests: nothing refers to them.
    session.execute(sa.delete(models.ActionReply).where(models.ActionReply.user_id == row.id))


def unlock_user(session: orm.Session, *, user_id: int, actor: str, now: dt.datetime) -> dict[str, Any]:
    """Forget the account's failed sign-ins from every client address, so it may sign in at
    once; the account as shown, with how many failures were forgotten."""
    row = session.get(models.User, user_id)
    if row is None:
        raise errors.NotFound(f"Không tìm thấy tài khoản số hiệu {user_id}.")
    cleared = throttle.forget_user(session, username=row.username)
    tickets.audit(
        session,
        now=now,
        actor=actor,
        action=throttle.UNLOCKED,
        target=row.username,
        details={"user_id": row.id, "failures_cleared": cleared},
    )
    return {**_user_out(session, row).model_dump(mode="json"), "failures_cleared": cleared}


# ---------------------------------------------------------------- devices


def _device_out(_session: orm.Session, row: models.Device) -> s.DeviceOut:
    return s.DeviceOut.model_validate(row, from_attributes=True)


def new_key(row: models.Device) -> str:
    """A new key for the device; the old one stops working."""
    key = auth.new_secret(auth.DEVICE_KEY_PREFIX)
    row.key_hash = auth.digest(key)
    return key


def _write_device(session: orm.Session, row: models.Device | None, v: s.DeviceIn) -> models.Device:
    existing(session, models.Centre, v.centre_id, "centre_id", "trung tâm")
    ensure_unique(session, row, models.Device.name, v.name, f"Tên thiết bị «{v.name}» đã được dùng.")
    if row is None:
        row = models.Device()  # admin.create gives it its key
        session.add(row)
    seed.assign(row, v.model_dump())
    return row


def _delete_device(session: orm.Session, row: models.Device) -> None:
    refuse_if(
        session,
        exists(models.Ticket.device_id == row.id),
        f"Thiết bị «{row.name}» đã cấp số thứ tự; {admin_base.STOP_USING}.",
    )


# ---------------------------------------------------------------- calendar


def _day_id(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def _calendar_out(_session: orm.Session, row: models.CalendarOverride) -> s.CalendarOut:
    day = row.day.isoformat()
    return s.CalendarOut(id=day, day=day, working=row.working, note=row.note)


def _write_day(session: orm.Session, row: models.CalendarOverride | None, v: s.CalendarIn) -> Any:
    if (row is None or row.day != v.day) and session.get(models.CalendarOverride, v.day) is not None:
        raise errors.IllegalTransition(f"Ngày {v.day:%d/%m/%Y} đã có trong lịch làm việc.")
    if row is None:
        row = models.CalendarOverride(day=v.day)
        session.add(row)
    seed.assign(row, v.model_dump())
    return row


class _CalendarKind(Kind):
    def row_id(self, row: Any) -> Any:
        return row.day.isoformat()


KINDS = (
    Kind(
        name="users",
        label="tài khoản",
        model=models.User,
        schema=s.UserIn,
        order=(models.User.username,),
        out=_user_out,
        write=_write_user,
        check_delete=_delete_user,
        scope=lambda row: {"centre_id": row.centre_id},
    ),
    Kind(
        name="devices",
        label="thiết bị",
        model=models.Device,
        schema=s.DeviceIn,
        order=(models.Device.name,),
        out=_device_out,
        write=_write_device,
        check_delete=_delete_device,
        scope=lambda row: {"centre_id": row.centre_id},
    ),
    _CalendarKind(
        name="calendar",
        label="ngày trong lịch",
        model=models.CalendarOverride,
        schema=s.CalendarIn,
        order=(models.CalendarOverride.day,),
        out=_calendar_out,
        write=_write_day,
        parse_id=_day_id,
    ),
)
