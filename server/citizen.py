"""The citizen's pages behind the QR codes: a ticket's place in the line, a dossier's status.

Small server-rendered HTML in Vietnamese for a cheap phone: no login, no cookies, no third-party
resource, no tracking. The URL carries an unguessable token (96 random bits), so nobody can
walk other people's tickets or dossiers by number. The ticket page asks for its state every
few seconds (a few lines of script; without script the page reloads itself).
"""

from __future__ import annotations

import datetime as dt
import hmac
import html
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import orm

from onestop import calendar, dossier, formatting
from onestop.enums import DossierStatus, TicketStatus, Timeliness
from server import dossiers, models, waits
from server.deps import State

router = APIRouter(include_in_schema=False)

Token = Annotated[str, Path(min_length=8, max_length=24, pattern=r"^[A-Za-z0-9_-]+$")]
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    # Never framed by another site (a page that overlays its own buttons on ours), never
    # sniffed into another type than the one given.
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
FINAL = frozenset({TicketStatus.DONE, TicketStatus.CANCELLED})

STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:#0d1b2a;background:#eef2f7;font-size:18px;line-height:1.4}
header{background:#083a73;color:#fff;padding:12px 16px;font-weight:bold}
main{max-width:520px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:14px;padding:18px;margin-bottom:14px;border:1px solid #c5cfdb}
.label{margin:0;color:#44525f}
.number{margin:0;font-size:72px;font-weight:bold;color:#c8102e;letter-spacing:2px;line-height:1.1}
.headline{margin:6px 0 2px;font-size:24px;font-weight:bold}
.detail{margin:0;font-size:20px}
.big{margin:10px 0 0;padding:14px;border-radius:12px;background:#c8102e;color:#fff;text-align:center;
font-size:44px;font-weight:bold}
.muted{color:#44525f;font-size:15px}
dl{margin:0}dt{color:#44525f;font-size:15px;margin-top:10px}dd{margin:0;font-weight:bold}
.late{color:#c8102e}.ok{color:#116b2f}
"""

SCRIPT = """(function () {
  var main = document.getElementById("ticket");
  if (!main) return;
  var url = main.getAttribute("data-status-url");
  var every = parseFloat(main.getAttribute("data-poll-seconds")) * 1000;
  var last = main.getAttribute("data-status");
  function set(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== text) el.textContent = text;
  }
  function show(s) {
    set("headline", s.headline); set("detail", s.detail); set("updated", s.updated);
    var big = document.getElementById("big");
    big.textContent = s.big || ""; big.hidden = !s.big;
    if (s.status === "called" && last !== "called" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
    last = s.status; main.setAttribute("data-status", s.status);
    if (s.final) clearInterval(timer);
  }
  function poll() {
    fetch(url, {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) show(s); })
      .catch(function () {});
  }
  var timer = setInterval(function () { if (!document.hidden) poll(); }, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
})();
"""


def _page(title: str, centre: str, body: str, *, head: str = "", attrs: str = "") -> HTMLResponse:
    """One page; ``body`` is trusted HTML (callers escape what they put in it)."""
    return HTMLResponse(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<link rel="icon" href="data:,">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>{head}</head>"
        f"<body><header>{html.escape(centre)}</header><main{attrs}>{body}</main></body></html>",
        headers=HEADERS,
    )


def _not_found(what: str) -> HTMLResponse:
    page = _page(
        "Không tìm thấy",
        "Trung tâm Phục vụ hành chính công",
        f'<div class="card"><p class="headline">Không tìm thấy {what}.</p>'
        '<p class="detail">Xin kiểm tra lại mã QR, hoặc hỏi tại bàn hướng dẫn của Trung tâm.</p></div>',
    )
    page.status_code = 404
    return page


# ---------------------------------------------------------------- a ticket


def ticket_state(session: orm.Session, ticket: models.Ticket, now: dt.datetime) -> dict[str, Any]:
    """What the ticket page says now (the page renders it, the script refreshes it)."""
    service = session.get_one(models.QueueService, ticket.service_id)
    counter = session.get(models.Counter, ticket.counter_id) if ticket.counter_id else None
    at_counter = f"{counter.number}" if counter else ""
    status, big = TicketStatus(ticket.status), None
    if ticket.business_day != waits.business_day(now) and status not in FINAL:
        headline = f"Số này cấp ngày {formatting.date(ticket.business_day)}, đã hết hiệu lực."
        detail = "Xin lấy số mới tại ki-ốt của Trung tâm."
        final = True
    elif status in (TicketStatus.WAITING, TicketStatus.TRANSFERRED):
        ahead, wait = waits.position(session, ticket, service, now)
        headline = "Đang chờ đến lượt"
        detail = "Bạn là người tiếp theo." if not ahead else f"Còn {ahead} người trước bạn."
        if wait:
            detail += f" Dự kiến khoảng {wait} phút."
        final = False
    elif status is TicketStatus.CALLED:
        headline, detail, big = "Mời bạn đến quầy", "Số của bạn đang được gọi.", f"QUẦY {at_counter}"
        final = False
    elif status is TicketStatus.SERVING:
        headline, detail = f"Đang được phục vụ tại quầy {at_counter}", "Cảm ơn bạn đã chờ."
        final = False
    elif status is TicketStatus.NO_SHOW:
        headline = "Đã qua lượt vì vắng mặt"
        detail = "Xin đến quầy đã gọi hoặc bàn hướng dẫn để được gọi lại."
        final = False  # an officer may put it back in line
    elif status is TicketStatus.DONE:
        headline, detail, final = "Đã hoàn thành", "Cảm ơn bạn đã sử dụng dịch vụ của Trung tâm.", True
    else:
        headline, detail, final = "Số đã bị hủy", "Xin hỏi tại bàn hướng dẫn nếu cần.", True
    return {
        "number": ticket.number,
        "service": service.name,
        "status": status.value,
        "headline": headline,
        "detail": detail,
        "big": big,
        "final": final,
        "updated": f"{now.astimezone(calendar.VN_TZ):%H:%M:%S}",
    }


def _ticket(session: orm.Session, token: str) -> models.Ticket | None:
    return session.scalar(sa.select(models.Ticket).where(models.Ticket.public_token == token))


@router.get("/tra-cuu/so/{token}", response_class=HTMLResponse)
def ticket_page(token: Token, app: State) -> HTMLResponse:
    now = app.settings.clock()
    with app.db.read() as session:
        ticket = _ticket(session, token)
        if ticket is None:
            return _not_found("số thứ tự này")
        state = ticket_state(session, ticket, now)
        centre = session.get_one(models.Centre, ticket.centre_id).name
    e = {k: html.escape(str(v)) if v is not None else "" for k, v in state.items()}
    attrs = (
        f' id="ticket" data-status="{e["status"]}" data-status-url="/tra-cuu/so/{token}/trang-thai"'
        f' data-poll-seconds="{app.settings.citizen_poll_seconds:g}"'
    )
    body = (
        '<div class="card"><p class="label">Số thứ tự của bạn</p>'
        f'<p class="number" id="number">{e["number"]}</p><p class="muted">{e["service"]}</p></div>'
        f'<div class="card"><p class="headline" id="headline">{e["headline"]}</p>'
        f'<p class="detail" id="detail">{e["detail"]}</p>'
        f'<p class="big" id="big"{"" if state["big"] else " hidden"}>{e["big"]}</p></div>'
        f'<p class="muted">Cập nhật lúc <span id="updated">{e["updated"]}</span>; trang tự cập nhật.</p>'
    )
    head = (
        '<script src="/tra-cuu/trang.js" defer></script>'
        '<noscript><meta http-equiv="refresh" content="15"></noscript>'
    )
    return _page(f"Số {state['number']}", centre, body, head=head, attrs=attrs)


@router.get("/tra-cuu/so/{token}/trang-thai")
def ticket_status(token: Token, app: State) -> JSONResponse:
    now = app.settings.clock()
    with app.db.read() as session:
        ticket = _ticket(session, token)
        if ticket is None:
            return JSONResponse({"detail": "Không tìm thấy số thứ tự này."}, status_code=404, headers=HEADERS)
        return JSONResponse(ticket_state(session, ticket, now), headers=HEADERS)


@router.get("/tra-cuu/trang.js")
def script() -> Response:
    return Response(
        SCRIPT,
        media_type="text/javascript",
        headers={"Cache-Control": "max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


# ---------------------------------------------------------------- a dossier


@router.get("/tra-cuu/ho-so/{code}/{token}", response_class=HTMLResponse)
def dossier_page(code: Annotated[str, Path(max_length=64)], token: Token, app: State) -> HTMLResponse:
    now = app.settings.clock()
    with app.db.read() as session:
        row = session.scalar(sa.select(models.Dossier).where(models.Dossier.code == code))
        # The same answer for a wrong token as for no dossier: nothing to learn by trying.
        if row is None or row.public_token is None or not hmac.compare_digest(row.public_token, token):
            return _not_found("hồ sơ này")
        out = dossiers.to_out(session, row, full=False)
        centre = session.get_one(models.Centre, row.centre_id).name
    assert out.applicant is not None
    assert out.received_at is not None
    done = out.returned_at or out.ready_at
    if out.timeliness:
        timing = dossier.TIMELINESS_NAMES_VI[Timeliness(out.timeliness)]
        timing_class = "late" if out.timeliness == "late" else "ok"
    elif out.status is DossierStatus.REFUSED:
        timing, timing_class = "", "ok"
    elif now > out.due_at:
        timing, timing_class = "Quá hạn, đang giải quyết", "late"
    else:
        timing, timing_class = "Trong hạn, đang giải quyết", "ok"
    rows = [
        ("Mã hồ sơ", out.code),
        ("Thủ tục", out.procedure_name),
        ("Cơ quan giải quyết", out.agency_name),
        ("Người nộp", out.applicant["full_name"]),
        ("Ngày tiếp nhận", formatting.date_time(out.received_at)),
        ("Hẹn trả kết quả", formatting.date_time(out.due_at)),
    ]
    if done is not None:
        rows.append(
            ("Có kết quả lúc" if out.returned_at is None else "Đã trả lúc", formatting.date_time(done))
        )
    if out.reason:
        rows.append(("Lý do", out.reason))
    for item in out.supplement_items or []:
        rows.append(("Cần bổ sung", str(item.get("name", ""))))
    facts = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    body = (
        '<div class="card"><p class="label">Tình trạng hồ sơ</p>'
        f'<p class="headline">{html.escape(out.status_name)}</p>'
        + (f'<p class="detail {timing_class}">{html.escape(timing)}</p>' if timing else "")
        + f'</div><div class="card"><dl>{facts}</dl></div>'
        f'<p class="muted">Cập nhật lúc {formatting.date_time(now)}.</p>'
    )
    return _page(f"Hồ sơ {out.code}", centre, body, attrs=' id="dossier"')
