"""The catalogue's kinds in the admin API: centres, priority groups, agencies, fields,
procedures, queue services and counters."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy import orm

from onestop import errors
from onestop.enums import CounterStatus
from server import admin_base, models, schemas, seed
from server import admin_schemas as s
from server.admin_base import Kind, ensure_unique, existing, exists, refuse_if


def _plain(out: type[BaseModel]) -> Any:
    def convert(_session: orm.Session, row: Any) -> BaseModel:
        return out.model_validate(row, from_attributes=True)

    return convert


def _new(session: orm.Session, row: Any, model: type[Any]) -> Any:
    if row is None:
        row = model()
        session.add(row)
    return row


# ---------------------------------------------------------------- centres


def _write_centre(session: orm.Session, row: models.Centre | None, v: s.CentreIn) -> models.Centre:
    code = models.Centre.code
    ensure_unique(session, row, code, v.code, f"Mã trung tâm «{v.code}» đã được dùng cho trung tâm khác.")
    row = _new(session, row, models.Centre)
    seed.assign(row, v.model_dump())
    return row


def _delete_centre(session: orm.Session, row: models.Centre) -> None:
    for model, what in (
        (models.QueueService, "dịch vụ xếp hàng"),
        (models.Counter, "quầy"),
        (models.User, "tài khoản"),
        (models.Device, "thiết bị"),
        (models.Ticket, "số thứ tự đã cấp"),
        (models.Dossier, "hồ sơ"),
    ):
        refuse_if(
            session,
            exists(model.centre_id == row.id),
            f"Trung tâm «{row.name}» còn {what}; không xoá được trung tâm đang có dữ liệu.",
        )


# ---------------------------------------------------------------- priority groups, agencies, fields


def _write_group(session: orm.Session, row: models.PriorityGroup | None, v: s.PriorityGroupIn) -> Any:
    code = models.PriorityGroup.code
    ensure_unique(session, row, code, v.code, f"Mã nhóm ưu tiên «{v.code}» đã được dùng cho nhóm khác.")
    row = _new(session, row, models.PriorityGroup)
    seed.assign(row, v.model_dump())
    return row


def _write_agency(session: orm.Session, row: models.Agency | None, v: s.AgencyIn) -> models.Agency:
    code = models.Agency.code
    ensure_unique(session, row, code, v.code, f"Mã cơ quan «{v.code}» đã được dùng cho cơ quan khác.")
    row = _new(session, row, models.Agency)
    seed.assign(row, v.model_dump())
    return row


def _delete_agency(session: orm.Session, row: models.Agency) -> None:
    refuse_if(
        session,
        exists(models.Field.agency_id == row.id),
        f"Cơ quan «{row.name}» còn lĩnh vực; hãy xoá hoặc chuyển các lĩnh vực trước.",
    )
    refuse_if(
        session,
        exists(models.Counter.agency_id == row.id),
        f"Cơ quan «{row.name}» đang được gán cho quầy; hãy bỏ gán ở quầy trước.",
    )


def _write_field(session: orm.Session, row: models.Field | None, v: s.FieldIn) -> models.Field:
    existing(session, models.Agency, v.agency_id, "agency_id", "cơ quan")
    code = models.Field.code
    ensure_unique(session, row, code, v.code, f"Mã lĩnh vực «{v.code}» đã được dùng cho lĩnh vực khác.")
    renamed = row is not None and row.name != v.name
    row = _new(session, row, models.Field)
    seed.assign(row, v.model_dump())
    if renamed:
        session.flush()
        seed.refresh_search_text(session, row)
    return row


def _delete_field(session: orm.Session, row: models.Field) -> None:
    refuse_if(
        session,
        exists(models.Procedure.field_id == row.id),
        f"Lĩnh vực «{row.name}» còn thủ tục (và có thể có hồ sơ); hãy xoá hoặc chuyển các thủ tục trước.",
    )
    refuse_if(
        session,
        exists(models.service_field.c.field_id == row.id),
        f"Lĩnh vực «{row.name}» đang thuộc một dịch vụ xếp hàng; hãy bỏ lĩnh vực khỏi dịch vụ trước.",
    )


# ---------------------------------------------------------------- procedures


def _procedure_out(_session: orm.Session, row: models.Procedure) -> s.ProcedureOut:
    return s.ProcedureOut(
        id=row.id,
        field_id=row.field_id,
        code=row.code,
        name=row.name,
        processing_days=float(row.processing_days),
        fee=row.fee,
        fee_note=row.fee_note,
        online_level=row.online_level,
        sets=row.sets,
        cutoff=row.cutoff.strftime("%H:%M") if row.cutoff else None,
        documents=[schemas.DocumentOut.model_validate(d) for d in row.documents],
    )


def _write_procedure(session: orm.Session, row: models.Procedure | None, v: s.ProcedureIn) -> Any:
    field = existing(session, models.Field, v.field_id, "field_id", "lĩnh vực")
    code = models.Procedure.code
    ensure_unique(session, row, code, v.code, f"Mã thủ tục «{v.code}» đã được dùng cho thủ tục khác.")
    row = _new(session, row, models.Procedure)
    seed.assign(row, {"code": v.code, **seed.procedure_values(v.model_dump(mode="json"), field)})
    return row


def _delete_procedure(session: orm.Session, row: models.Procedure) -> None:
    refuse_if(
        session,
        exists(models.Dossier.procedure_id == row.id),
        f"Thủ tục {row.code} đã có hồ sơ tiếp nhận; không xoá được để giữ lịch sử hồ sơ.",
    )


# ---------------------------------------------------------------- queue services


def _service_out(_session: orm.Session, row: models.QueueService) -> s.ServiceOut:
    return s.ServiceOut(
        id=row.id,
        centre_id=row.centre_id,
        code=row.code,
        name=row.name,
        letter=row.letter,
        number_width=row.number_width,
        priority_policy=row.priority_policy,
        priority_every=row.priority_every,
        default_service_minutes=row.default_service_minutes,
        active=row.active,
        field_ids=sorted(f.id for f in row.fields),
    )


def _write_service(session: orm.Session, row: models.QueueService | None, v: s.ServiceIn) -> Any:
    existing(session, models.Centre, v.centre_id, "centre_id", "trung tâm")
    fields = [existing(session, models.Field, fid, "field_ids", "lĩnh vực") for fid in v.field_ids]
    ensure_unique(
        session,
        row,
        models.QueueService.code,
        v.code,
        f"Mã dịch vụ «{v.code}» đã có ở trung tâm này.",
        models.QueueService.centre_id == v.centre_id,
    )
    row = _new(session, row, models.QueueService)
    seed.assign(row, v.model_dump(exclude={"field_ids"}))
    if {f.id for f in row.fields} != set(v.field_ids):
        row.fields = fields
    return row


def _delete_service(session: orm.Session, row: models.QueueService) -> None:
    refuse_if(
        session,
        exists(
            (models.Ticket.service_id == row.id) | (models.Ticket.origin_service_id == row.id),
        ),
        f"Dịch vụ «{row.name}» đã cấp số thứ tự; {admin_base.STOP_USING}.",
    )
    # The counters that called it simply stop calling it.
    session.execute(sa.delete(models.CounterService).where(models.CounterService.service_id == row.id))
    session.expire_all()


# ---------------------------------------------------------------- counters


def _write_counter(session: orm.Session, row: models.Counter | None, v: s.CounterIn) -> models.Counter:
    existing(session, models.Centre, v.centre_id, "centre_id", "trung tâm")
    existing(session, models.Agency, v.agency_id, "agency_id", "cơ quan")
    for service_id in v.service_ids:
        service = session.get(models.QueueService, service_id)
        if service is None or service.centre_id != v.centre_id:
            raise errors.InvalidValue(
                "service_ids", f"Dịch vụ số hiệu {service_id} không thuộc trung tâm của quầy."
            )
    ensure_unique(
        session,
        row,
        models.Counter.number,
        v.number,
        f"Quầy số {v.number} đã có ở trung tâm này.",
        models.Counter.centre_id == v.centre_id,
    )
    row = _new(session, row, models.Counter)
    seed.assign(row, v.model_dump(exclude={"service_ids"}))
    if row.service_ids != v.service_ids:
        seed.set_counter_services(row, v.service_ids)
    return row


def _delete_counter(session: orm.Session, row: models.Counter) -> None:
    if row.status is not CounterStatus.CLOSED:
        raise errors.IllegalTransition(f"Quầy số {row.number} đang mở; hãy đóng quầy trước khi xoá.")
    for model in (models.Ticket, models.Dossier):
        refuse_if(
            session,
            exists(model.counter_id == row.id),
            f"Quầy số {row.number} đã phục vụ công dân; không xoá được để giữ lịch sử.",
        )


KINDS = (
    Kind(
        name="centres",
        label="trung tâm",
        model=models.Centre,
        schema=s.CentreIn,
        order=(models.Centre.code,),
        out=_plain(s.CentreOut),
        write=_write_centre,
        check_delete=_delete_centre,
        scope=lambda row: {"centre_id": row.id},
    ),
    Kind(
        name="priority-groups",
        label="nhóm ưu tiên",
        model=models.PriorityGroup,
        schema=s.PriorityGroupIn,
        order=(models.PriorityGroup.code,),
        out=_plain(s.PriorityGroupOut),
        write=_write_group,
    ),
    Kind(
        name="agencies",
        label="cơ quan",
        model=models.Agency,
        schema=s.AgencyIn,
        order=(models.Agency.code,),
        out=_plain(s.AgencyOut),
        write=_write_agency,
        check_delete=_delete_agency,
    ),
    Kind(
        name="fields",
        label="lĩnh vực",
        model=models.Field,
        schema=s.FieldIn,
        order=(models.Field.code,),
        out=_plain(s.FieldOut),
        write=_write_field,
        check_delete=_delete_field,
    ),
    Kind(
        name="procedures",
        label="thủ tục",
        model=models.Procedure,
        schema=s.ProcedureIn,
        order=(models.Procedure.code,),
        out=_procedure_out,
        write=_write_procedure,
        check_delete=_delete_procedure,
    ),
    Kind(
        name="services",
        label="dịch vụ xếp hàng",
        model=models.QueueService,
        schema=s.ServiceIn,
        order=(models.QueueService.centre_id, models.QueueService.code),
        out=_service_out,
        write=_write_service,
        check_delete=_delete_service,
        scope=lambda row: {"centre_id": row.centre_id, "service_id": row.id},
        load=(orm.selectinload(models.QueueService.fields),),
    ),
    Kind(
        name="counters",
        label="quầy",
        model=models.Counter,
        schema=s.CounterIn,
        order=(models.Counter.centre_id, models.Counter.number),
        out=_plain(s.CounterOut),
        write=_write_counter,
        check_delete=_delete_counter,
        scope=lambda row: {"centre_id": row.centre_id, "counter_id": row.id},
        load=(orm.selectinload(models.Counter.links),),
    ),
)
