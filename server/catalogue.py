"""The catalogue as one document (the demo_catalogue.json shape): exported for a centre, and
imported (created or updated by code, never deleted) all or nothing.

Both a JSON document and a spreadsheet (catalogue_xlsx) become the same flat list of
entries, each knowing where it came from (a JSON path, or a sheet and row), so every problem
names the place to fix; then seed.Loader writes them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Protocol

import pydantic
import sqlalchemy as sa
from pydantic import Field
from sqlalchemy import orm

from onestop.enums import PriorityPolicy
from server import admin_schemas as s
from server import messages, models, seed
from server.schemas import FROM_TEXT, Strict

# ---------------------------------------------------------------- the document's parts


class CentreSpec(Strict):
    code: s.CentreCode
    name: s.Name255
    short_name: s.Blank128 = ""
    address: s.Blank255 = ""
    phone: s.Blank32 = ""
    agency_code: s.AgencyCode
    office_hours: s.OfficeHoursText = "07:00-11:30,13:30-17:00"


class GroupSpec(Strict):
    code: s.Code32
    name: s.Name128


class AgencySpec(Strict):
    code: s.Code32
    name: s.Name255
    id_code: s.AgencyIdCode = ""


class FieldSpec(Strict):
    code: s.Code32
    name: s.Name255


class ProcedureSpec(Strict):
    code: s.Code32
    name: s.LongName
    processing_days: s.Days
    fee: Annotated[int, Field(ge=0, le=10**12)] = 0
    fee_note: s.LongName | None = None
    online_level: s.OnlineLevel | None = None
    sets: Annotated[int, Field(ge=1, le=100)] = 1
    cutoff: s.HourMinute | None = None
    # None: keep the documents the procedure has (a spreadsheet without the "Giấy tờ" sheet).
    documents: Annotated[list[s.DocumentIn], Field(max_length=200)] | None = None


class ServiceSpec(Strict):
    code: s.Code16
    letter: s.Letter
    name: s.Name255
    number_width: Annotated[int, Field(ge=2, le=5)] = 3
    priority_policy: Annotated[PriorityPolicy, FROM_TEXT] = PriorityPolicy.STRICT
    priority_every: Annotated[int, Field(ge=1, le=20)] = 3
    default_service_minutes: Annotated[int, Field(ge=1, le=240)] = 8
    active: bool | None = None  # None: a new service is active, an existing one stays as it is
    field_codes: Annotated[list[s.Code32], Field(max_length=200)] = Field(default_factory=list)


class CounterSpec(Strict):
    number: Annotated[int, Field(ge=1, le=999)]
    name: s.Name255
    agency_code: s.Code32 | None = None
    display_address: Annotated[int, Field(ge=1, le=99)] | None = None
    service_codes: Annotated[list[s.Code16], Field(max_length=200)] = Field(default_factory=list)


class FieldDoc(FieldSpec):
    procedures: list[ProcedureSpec] = Field(default_factory=list)


class AgencyDoc(AgencySpec):
    fields: list[FieldDoc] = Field(default_factory=list)


class CatalogueDoc(Strict):
    centre: CentreSpec | None = None
    priority_groups: list[GroupSpec] = Field(default_factory=list)
    agencies: list[AgencyDoc] = Field(default_factory=list)
    services: list[ServiceSpec] = Field(default_factory=list)
    counters: list[CounterSpec] = Field(default_factory=list)


SPECS: dict[str, type[Strict]] = {
    "centres": CentreSpec,
    "priority-groups": GroupSpec,
    "agencies": AgencySpec,
    "fields": FieldSpec,
    "procedures": ProcedureSpec,
    "services": ServiceSpec,
    "counters": CounterSpec,
}

# ---------------------------------------------------------------- where a problem is


class Where(Protocol):
    def problem(self, field: tuple[str | int, ...], message: str) -> dict[str, Any]: ...


@dataclasses.dataclass(frozen=True)
class JsonWhere:
    path: tuple[str | int, ...]

    def problem(self, field: tuple[str | int, ...], message: str) -> dict[str, Any]:
        parts = (*self.path, *field)
        dotted = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
        return {"loc": ["body", *parts], "msg": f"{dotted or 'Tài liệu'}: {message}", "type": "value_error"}


@dataclasses.dataclass(frozen=True)
class SheetWhere:
    sheet: str
    row: int
    columns: Mapping[str, str]  # entry key → column header
    documents: tuple[SheetWhere, ...] = ()  # a procedure's rows on the "Giấy tờ" sheet

    def problem(self, field: tuple[str | int, ...], message: str) -> dict[str, Any]:
        if (
            len(field) > 1
            and field[0] == "documents"
            and isinstance(field[1], int)
            and field[1] < len(self.documents)
        ):
            return self.documents[field[1]].problem(field[2:], message)
        column = self.columns.get(str(field[0])) if field else None
        place = f"Trang «{self.sheet}», dòng {self.row}" + (f", cột «{column}»" if column else "")
        return {
            "loc": ["body", self.sheet, self.row, *([column] if column else [])],
            "msg": f"{place}: {message}",
            "type": "value_error",
            "sheet": self.sheet,
            "row": self.row,
            "column": column,
        }


@dataclasses.dataclass
class Entry:
    """One object of the document: its kind, its values, its parent's code and its place."""

    kind: str
    values: dict[str, Any]
    where: Where
    parent: str | None = None  # a field's agency code, a procedure's field code


class Invalid(Exception):
    """The document has problems; nothing was written."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def pydantic_problems(where: Where, exc: pydantic.ValidationError) -> list[dict[str, Any]]:
    return [
        where.problem(tuple(item["loc"]), messages.vietnamese(item["type"], item["msg"], item.get("ctx")))
        for item in exc.errors(include_url=False)
    ]


def validated(kind: str, raw: dict[str, Any], where: Where, parent: str | None = None) -> Entry:
    """An entry whose values passed the kind's checks; Invalid naming each bad field otherwise."""
    try:
        spec = SPECS[kind].model_validate(raw)
    except pydantic.ValidationError as exc:
        raise Invalid(pydantic_problems(where, exc)) from None
    return Entry(kind, spec.model_dump(mode="json"), where, parent)


def from_json(data: Any) -> list[Entry]:
    """A JSON document's entries, or Invalid naming each problem by its JSON path."""
    try:
        doc = CatalogueDoc.model_validate(data)
    except pydantic.ValidationError as exc:
        raise Invalid(pydantic_problems(JsonWhere(()), exc)) from None
    entries = []
    if doc.centre is not None:
        entries.append(Entry("centres", doc.centre.model_dump(mode="json"), JsonWhere(("centre",))))
    for i, group in enumerate(doc.priority_groups):
        entries.append(
            Entry("priority-groups", group.model_dump(mode="json"), JsonWhere(("priority_groups", i)))
        )
    for i, agency in enumerate(doc.agencies):
        path: tuple[str | int, ...] = ("agencies", i)
        entries.append(Entry("agencies", agency.model_dump(mode="json", exclude={"fields"}), JsonWhere(path)))
        for j, field in enumerate(agency.fields):
            fpath = (*path, "fields", j)
            values = field.model_dump(mode="json", exclude={"procedures"})
            entries.append(Entry("fields", values, JsonWhere(fpath), agency.code))
            for k, proc in enumerate(field.procedures):
                where = JsonWhere((*fpath, "procedures", k))
                entries.append(Entry("procedures", proc.model_dump(mode="json"), where, field.code))
    for i, service in enumerate(doc.services):
        entries.append(Entry("services", service.model_dump(mode="json"), JsonWhere(("services", i))))
    for i, counter in enumerate(doc.counters):
        entries.append(Entry("counters", counter.model_dump(mode="json"), JsonWhere(("counters", i))))
    return entries


# ---------------------------------------------------------------- checking references


KEY = {"counters": "number"}


def _codes(session: orm.Session, column: Any, *where: Any) -> set[Any]:
    return set(session.scalars(sa.select(column).where(*where)))


def check(session: orm.Session, centre: models.Centre, entries: list[Entry]) -> list[dict[str, Any]]:
    """Problems the single entries cannot show: repeated codes and codes that name nothing."""
    problems: list[dict[str, Any]] = []
    seen: dict[tuple[str, Any], Entry] = {}
    for entry in entries:
        key = KEY.get(entry.kind, "code")
        value = entry.values[key]
        if (entry.kind, value) in seen:
            problems.append(entry.where.problem((key,), f"«{value}» xuất hiện nhiều lần trong tài liệu."))
        seen[(entry.kind, value)] = entry
    agencies = _codes(session, models.Agency.code) | {e.values["code"] for e in _of(entries, "agencies")}
    fields = _codes(session, models.Field.code) | {e.values["code"] for e in _of(entries, "fields")}
    services = _codes(session, models.QueueService.code, models.QueueService.centre_id == centre.id) | {
        e.values["code"] for e in _of(entries, "services")
    }
    refs = (
        ("fields", "agency_code", agencies, "cơ quan"),
        ("procedures", "field_code", fields, "lĩnh vực"),
        ("services", "field_codes", fields, "lĩnh vực"),
        ("counters", "agency_code", agencies, "cơ quan"),
        ("counters", "service_codes", services, "dịch vụ xếp hàng của trung tâm"),
    )
    for kind, key, known, label in refs:
        for entry in _of(entries, kind):
            named = (
                entry.parent
                if key in ("agency_code", "field_code") and entry.parent
                else entry.values.get(key)
            )
            for code in named if isinstance(named, list) else [named]:
                if code is not None and code not in known:
                    problems.append(entry.where.problem((key,), f"Không có {label} mã «{code}»."))
    return problems


def _of(entries: Iterable[Entry], kind: str) -> list[Entry]:
    return [e for e in entries if e.kind == kind]


# ---------------------------------------------------------------- import and export


def load(session: orm.Session, centre: models.Centre, entries: list[Entry]) -> seed.Tally:
    """Check the entries, then create or update them; Invalid (nothing written) on any problem."""
    problems = check(session, centre, entries)
    if problems:
        raise Invalid(problems)
    loader = seed.Loader(session, centre)
    for entry in entries:
        _load_one(loader, entry)
    session.flush()
    return loader.tally


def _load_one(loader: seed.Loader, entry: Entry) -> None:
    values = entry.values
    if entry.kind == "centres":
        if values["code"] == loader.centre.code:  # another centre's details are not this one's
            loader.centre_details(values)
    elif entry.kind == "priority-groups":
        loader.priority_group(values)
    elif entry.kind == "agencies":
        loader.agency(values)
    elif entry.kind == "fields":
        loader.field(values, loader.agencies[entry.parent or values["agency_code"]])
    elif entry.kind == "procedures":
        if values["documents"] is None:
            old = loader.procedures.get(values["code"])
            values = {**values, "documents": old.documents if old is not None else []}
        loader.procedure(values, loader.fields[entry.parent or values["field_code"]])
    elif entry.kind == "services":
        loader.service(values)
    else:
        loader.counter(values)


def _days(value: Any) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def export(session: orm.Session, centre: models.Centre) -> dict[str, Any]:
    """The centre's catalogue: the province's agencies, fields, procedures and priority groups,
    and the centre's own services and counters."""
    keys = ("code", "name", "short_name", "address", "phone", "agency_code", "office_hours")
    fields = session.scalars(sa.select(models.Field).order_by(models.Field.code)).all()
    procedures = session.scalars(sa.select(models.Procedure).order_by(models.Procedure.code)).all()
    return {
        "centre": {key: getattr(centre, key) for key in keys},
        "priority_groups": [
            {"code": g.code, "name": g.name}
            for g in session.scalars(sa.select(models.PriorityGroup).order_by(models.PriorityGroup.id))
        ],
        "agencies": [
            {
                "code": a.code,
                "name": a.name,
                "id_code": a.id_code,
                "fields": [
                    {
                        "code": f.code,
                        "name": f.name,
                        "procedures": [_procedure(p) for p in procedures if p.field_id == f.id],
                    }
                    for f in fields
                    if f.agency_id == a.id
                ],
            }
            for a in session.scalars(sa.select(models.Agency).order_by(models.Agency.code))
        ],
        "services": _services(session, centre),
        "counters": _counters(session, centre),
    }


def _procedure(p: models.Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "processing_days": _days(p.processing_days),
        "fee": p.fee,
        "fee_note": p.fee_note,
        "online_level": p.online_level,
        "sets": p.sets,
        "cutoff": p.cutoff.strftime("%H:%M") if p.cutoff else None,
        "documents": [{"name": d["name"], "kind": d["kind"], "copies": d["copies"]} for d in p.documents],
    }


def _services(session: orm.Session, centre: models.Centre) -> list[dict[str, Any]]:
    rows = session.scalars(
        sa.select(models.QueueService)
        .options(orm.selectinload(models.QueueService.fields))
        .where(models.QueueService.centre_id == centre.id)
        .order_by(models.QueueService.code)
    )
    return [
        {
            "code": r.code,
            "letter": r.letter,
            "name": r.name,
            "number_width": r.number_width,
            "priority_policy": r.priority_policy.value,
            "priority_every": r.priority_every,
            "default_service_minutes": r.default_service_minutes,
            "active": r.active,
            "field_codes": sorted(f.code for f in r.fields),
        }
        for r in rows
    ]


def _counters(session: orm.Session, centre: models.Centre) -> list[dict[str, Any]]:
    agencies = {a.id: a.code for a in session.scalars(sa.select(models.Agency))}
    services = {r.id: r.code for r in session.scalars(sa.select(models.QueueService))}
    rows = session.scalars(
        sa.select(models.Counter)
        .options(orm.selectinload(models.Counter.links))
        .where(models.Counter.centre_id == centre.id)
        .order_by(models.Counter.number)
    )
    return [
        {
            "number": r.number,
            "name": r.name,
            "agency_code": agencies.get(r.agency_id) if r.agency_id else None,
            "service_codes": [services[sid] for sid in r.service_ids],
            "display_address": r.display_address,
        }
        for r in rows
    ]
