"""Loading a catalogue (the demo one ships with the package) and the first-run accounts."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import pathlib
import secrets
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import textfold
from onestop.enums import DeviceKind, PriorityPolicy, Role
from server import auth, models

_Coded = TypeVar("_Coded", models.Agency, models.Field, models.Procedure)
DEMO_CATALOGUE = pathlib.Path(__file__).with_name("demo_catalogue.json")
CREDENTIALS_FILE = "first-run-credentials.txt"


def load_catalogue(session: orm.Session, data: dict[str, Any]) -> models.Centre:
    """Insert a catalogue document (the demo_catalogue.json shape) as one new centre.

    Agencies, fields and procedures that exist already (same code) are reused, so the
    centres of one province share one catalogue; services and counters belong to the centre.
    """
    spec = data["centre"]
    centre = models.Centre(
        code=spec["code"],
        name=spec["name"],
        short_name=spec.get("short_name", ""),
        address=spec.get("address", ""),
        phone=spec.get("phone", ""),
        agency_code=spec["agency_code"],
        office_hours=spec.get("office_hours", "07:00-11:30,13:30-17:00"),
    )
    session.add(centre)
    for group in data.get("priority_groups", []):
        if (
            session.scalar(sa.select(models.PriorityGroup).where(models.PriorityGroup.code == group["code"]))
            is None
        ):
            session.add(models.PriorityGroup(code=group["code"], name=group["name"]))
    agencies: dict[str, models.Agency] = {}
    fields: dict[str, models.Field] = {}
    for agency_spec in data["agencies"]:
        agency = _get_or_add(
            session,
            models.Agency,
            agency_spec["code"],
            name=agency_spec["name"],
            id_code=agency_spec["id_code"],
        )
        agencies[agency.code] = agency
        for field_spec in agency_spec["fields"]:
            field = _get_or_add(
                session, models.Field, field_spec["code"], agency=agency, name=field_spec["name"]
            )
            fields[field.code] = field
            for proc in field_spec["procedures"]:
                if _find(session, models.Procedure, proc["code"]) is None:
                    session.add(_procedure(field, proc))
    session.flush()
    services = {spec["code"]: _service(centre, spec, fields) for spec in data["services"]}
    session.add_all(services.values())
    session.flush()
    for spec in data["counters"]:
        counter = models.Counter(
            centre_id=centre.id,
            number=spec["number"],
            name=spec["name"],
            agency_id=agencies[spec["agency_code"]].id if spec.get("agency_code") else None,
            display_address=spec.get("display_address"),
        )
        counter.links = [
            models.CounterService(service_id=services[code].id, position=i)
            for i, code in enumerate(spec["service_codes"])
        ]
        session.add(counter)
    session.flush()
    return centre


def _find(session: orm.Session, model: type[_Coded], code: str) -> _Coded | None:
    return session.scalar(sa.select(model).where(model.code == code))


def _get_or_add(session: orm.Session, model: type[_Coded], code: str, **values: Any) -> _Coded:
    """The province's catalogue is shared: a second centre reuses agencies and fields by code."""
    found = _find(session, model, code)
    if found is None:
        found = model(code=code, **values)
        session.add(found)
        session.flush()
    return found


def _procedure(field: models.Field, spec: dict[str, Any]) -> models.Procedure:
    cutoff = dt.time.fromisoformat(spec["cutoff"]) if spec.get("cutoff") else None
    return models.Procedure(
        field=field,
        code=spec["code"],
        name=spec["name"],
        search_text=textfold.fold(f"{spec['name']} {spec['code']} {field.name}"),
        processing_days=decimal.Decimal(str(spec["processing_days"])),
        fee=spec["fee"],
        fee_note=spec.get("fee_note"),
        online_level=spec.get("online_level"),
        sets=spec.get("sets", 1),
        cutoff=cutoff,
        documents=spec["documents"],
    )


def _service(
    centre: models.Centre, spec: dict[str, Any], fields: dict[str, models.Field]
) -> models.QueueService:
    return models.QueueService(
        centre_id=centre.id,
        code=spec["code"],
        name=spec["name"],
        letter=spec["letter"],
        number_width=spec.get("number_width", 3),
        priority_policy=PriorityPolicy(spec.get("priority_policy", "strict")),
        priority_every=spec.get("priority_every") or 3,
        default_service_minutes=spec.get("default_service_minutes", 8),
        fields=[fields[code] for code in spec["field_codes"]],
    )


def seed_demo(session: orm.Session) -> models.Centre | None:
    """Load the demo catalogue unless a centre with its code exists already."""
    data = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    exists = session.scalar(sa.select(models.Centre).where(models.Centre.code == data["centre"]["code"]))
    return None if exists else load_catalogue(session, data)


def first_run(session: orm.Session) -> list[str] | None:
    """On an empty user table: demo accounts and device keys, returned as lines to print.

    Returns None when users exist already (not a first run).
    """
    if session.scalar(sa.select(sa.func.count()).select_from(models.User)):
        return None
    centre = session.scalar(sa.select(models.Centre).order_by(models.Centre.id).limit(1))
    if centre is None:
        centre = models.Centre(
            code="CENTRE", name="Trung tâm Phục vụ hành chính công", agency_code="000.00.00.H00"
        )
        session.add(centre)
        session.flush()
    lines = ["Tài khoản và khóa thiết bị ban đầu (chỉ hiện một lần):"]
    for username, role, name in (
        ("admin", Role.ADMIN, "Quản trị hệ thống"),
        ("giamsat", Role.SUPERVISOR, "Giám sát viên"),
        ("canbo1", Role.OFFICER, "Nguyễn Thị Hương"),
        ("canbo2", Role.OFFICER, "Trần Văn Minh"),
    ):
        password = secrets.token_urlsafe(9)
        auth.create_user(
            session, username=username, password=password, role=role, full_name=name, centre_id=centre.id
        )
        lines.append(f"  user    {username:<10} {role.value:<10} password: {password}")
    for name, kind in (
        ("kiosk-1", DeviceKind.KIOSK),
        ("display-1", DeviceKind.DISPLAY),
        ("counter-1", DeviceKind.COUNTER),
    ):
        _, key = auth.create_device(session, name=name, kind=kind, centre_id=centre.id)
        lines.append(f"  device  {name:<10} {kind.value:<10} key: {key}")
    return lines
