"""Loading a catalogue (the demo one ships with the package) and the first-run accounts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import pathlib
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from onestop import textfold
from onestop.enums import DeviceKind, PriorityPolicy, Role
from server import auth, models

DEMO_CATALOGUE = pathlib.Path(__file__).with_name("demo_catalogue.json")
CREDENTIALS_FILE = "first-run-credentials.txt"


# The kinds a catalogue document holds, in the order they load; the admin API's URL names.
KINDS = ("centres", "priority-groups", "agencies", "fields", "procedures", "services", "counters")


@dataclasses.dataclass
class Tally:
    """How many objects of each kind a load created, updated or found unchanged."""

    created: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    updated: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    unchanged: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    def count(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def assign(row: Any, values: dict[str, Any]) -> bool:
    """Set the attributes whose value differs; True when any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def search_text(name: str, code: str, field_name: str) -> str:
    """What q= searches in a procedure: its name, code and field, folded (no diacritics)."""
    return textfold.fold(f"{name} {code} {field_name}")


def refresh_search_text(session: orm.Session, field: models.Field) -> None:
    """After a field's rename: its procedures are found by the new name."""
    for procedure in session.scalars(
        sa.select(models.Procedure).where(models.Procedure.field_id == field.id)
    ):
        procedure.search_text = search_text(procedure.name, procedure.code, field.name)


def procedure_values(spec: dict[str, Any], field: models.Field) -> dict[str, Any]:
    """A procedure's columns from its document form (demo_catalogue.json)."""
    cutoff = spec.get("cutoff")
    return {
        "field_id": field.id,
        "name": spec["name"],
        "search_text": search_text(spec["name"], spec["code"], field.name),
        "processing_days": decimal.Decimal(str(spec["processing_days"])),
        "fee": spec["fee"],
        "fee_note": spec.get("fee_note"),
        "online_level": spec.get("online_level"),
        "sets": spec.get("sets", 1),
        "cutoff": dt.time.fromisoformat(cutoff) if cutoff else None,
        "documents": [
            {"name": d["name"], "kind": d["kind"], "copies": d["copies"]} for d in spec["documents"]
        ],
    }


class Loader:
    """Creates or updates, by code, the parts of a catalogue document in one centre.

    Agencies, fields, procedures and priority groups are the province's, shared by its
    centres; services (by code) and counters (by number) belong to the centre. Nothing is
    deleted. Every object passed through is counted in ``tally``.
    """

    def __init__(self, session: orm.Session, centre: models.Centre, tally: Tally | None = None) -> None:
        self.session = session
        self.centre = centre
        self.tally = tally or Tally()
        self.groups = {g.code: g for g in session.scalars(sa.select(models.PriorityGroup))}
        self.agencies = {a.code: a for a in session.scalars(sa.select(models.Agency))}
        self.fields = {f.code: f for f in session.scalars(sa.select(models.Field))}
        self.procedures = {p.code: p for p in session.scalars(sa.select(models.Procedure))}
        centre_id = centre.id
        self.services = {
            s.code: s
            for s in session.scalars(
                sa.select(models.QueueService).where(models.QueueService.centre_id == centre_id)
            )
        }
        self.counters = {
            c.number: c
            for c in session.scalars(sa.select(models.Counter).where(models.Counter.centre_id == centre_id))
        }

    def _upsert(self, kind: str, row: Any, make: Any, values: dict[str, Any]) -> Any:
        if row is None:
            row = make(**values)
            self.session.add(row)
            self.session.flush()
            self.tally.count(kind, "created")
        else:
            self.tally.count(kind, "updated" if assign(row, values) else "unchanged")
        return row

    def load(self, data: dict[str, Any]) -> None:
        """A whole document; the centre part only when its code is this centre's."""
        spec = data.get("centre")
        if spec and spec.get("code") == self.centre.code:
            self.centre_details(spec)
        for group in data.get("priority_groups", []):
            self.priority_group(group)
        for agency_spec in data.get("agencies", []):
            agency = self.agency(agency_spec)
            for field_spec in agency_spec.get("fields", []):
                field = self.field(field_spec, agency)
                for proc in field_spec.get("procedures", []):
                    self.procedure(proc, field)
        for service in data.get("services", []):
            self.service(service)
        for counter in data.get("counters", []):
            self.counter(counter)
        self.session.flush()

    def centre_details(self, spec: dict[str, Any]) -> None:
        keys = ("name", "short_name", "address", "phone", "agency_code", "office_hours")
        changed = assign(self.centre, {k: spec[k] for k in keys if k in spec})
        self.tally.count("centres", "updated" if changed else "unchanged")

    def priority_group(self, spec: dict[str, Any]) -> None:
        code = spec["code"]
        self.groups[code] = self._upsert(
            "priority-groups",
            self.groups.get(code),
            models.PriorityGroup,
            {"code": code, "name": spec["name"]},
        )

    def agency(self, spec: dict[str, Any]) -> models.Agency:
        values = {"code": spec["code"], "name": spec["name"], "id_code": spec.get("id_code", "")}
        agency: models.Agency = self._upsert(
            "agencies", self.agencies.get(spec["code"]), models.Agency, values
        )
        self.agencies[agency.code] = agency
        return agency

    def field(self, spec: dict[str, Any], agency: models.Agency) -> models.Field:
        old = self.fields.get(spec["code"])
        renamed = old is not None and old.name != spec["name"]
        values = {"code": spec["code"], "agency_id": agency.id, "name": spec["name"]}
        field: models.Field = self._upsert("fields", old, models.Field, values)
        if renamed:
            refresh_search_text(self.session, field)
        self.fields[field.code] = field
        return field

    def procedure(self, spec: dict[str, Any], field: models.Field) -> None:
        values = {"code": spec["code"], **procedure_values(spec, field)}
        row = self.procedures.get(spec["code"])
        if row is None:
            row = models.Procedure(**values)
            self.session.add(row)
            self.tally.count("procedures", "created")
        else:
            self.tally.count("procedures", "updated" if assign(row, values) else "unchanged")
        self.procedures[spec["code"]] = row

    def service(self, spec: dict[str, Any]) -> models.QueueService:
        values: dict[str, Any] = {
            "centre_id": self.centre.id,
            "code": spec["code"],
            "name": spec["name"],
            "letter": spec["letter"],
            "number_width": spec.get("number_width", 3),
            "priority_policy": PriorityPolicy(spec.get("priority_policy", "strict")),
            "priority_every": spec.get("priority_every") or 3,
            "default_service_minutes": spec.get("default_service_minutes", 8),
        }
        if spec.get("active") is not None:
            values["active"] = spec["active"]
        wanted = [self.fields[code] for code in spec["field_codes"]]
        row = self.services.get(spec["code"])
        if row is None:
            row = models.QueueService(**values, fields=wanted)
            self.session.add(row)
            self.session.flush()
            self.tally.count("services", "created")
        else:
            changed = assign(row, values)
            if {f.id for f in row.fields} != {f.id for f in wanted}:
                row.fields, changed = wanted, True
            self.tally.count("services", "updated" if changed else "unchanged")
        self.services[row.code] = row
        return row

    def counter(self, spec: dict[str, Any]) -> None:
        agency_code = spec.get("agency_code")
        values = {
            "centre_id": self.centre.id,
            "number": spec["number"],
            "name": spec["name"],
            "agency_id": self.agencies[agency_code].id if agency_code else None,
            "display_address": spec.get("display_address"),
        }
        wanted = [self.services[code].id for code in spec["service_codes"]]
        row = self.counters.get(spec["number"])
        if row is None:
            row = models.Counter(**values)
            row.links = [models.CounterService(service_id=sid, position=i) for i, sid in enumerate(wanted)]
            self.session.add(row)
            self.tally.count("counters", "created")
        else:
            changed = assign(row, values)
            if row.service_ids != wanted:
                set_counter_services(row, wanted)
                changed = True
            self.tally.count("counters", "updated" if changed else "unchanged")
        self.counters[row.number] = row


def set_counter_services(counter: models.Counter, service_ids: list[int]) -> None:
    """The counter's services in calling order; links kept where they exist (their key is fixed)."""
    existing = {link.service_id: link for link in counter.links}
    links = []
    for position, service_id in enumerate(service_ids):
        link = existing.get(service_id) or models.CounterService(service_id=service_id)
        link.position = position
        links.append(link)
    counter.links = links


def load_catalogue(session: orm.Session, data: dict[str, Any]) -> models.Centre:
    """Insert a catalogue document (the demo_catalogue.json shape) as one new centre.

    Agencies, fields and procedures that exist already (same code) are reused (and brought
    up to the document), so the centres of one province share one catalogue; services and
    counters belong to the centre.
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
    session.flush()
    Loader(session, centre).load({key: value for key, value in data.items() if key != "centre"})
    return centre


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
