"""What the end of a day must show, each compared with the day's own log (day.Log)."""

from __future__ import annotations

import collections
import datetime as dt
import functools
import hashlib
import itertools
import pathlib
from typing import Any

import httpx
import pypdf

from hardware import raster
from onestop import calendar
from tests.e2e import day as day_mod
from tests.e2e import harness
from tests.hardware import fakeprinter

FINAL = {"done", "no_show", "cancelled"}


def server_tickets(client: httpx.Client) -> list[dict[str, Any]]:
    """Every ticket on the server (ids are consecutive; stop after a run of unknown ids)."""
    found: list[dict[str, Any]] = []
    missing = 0
    for ticket_id in itertools.count(1):
        reply = client.get(f"/tickets/{ticket_id}")
        if reply.status_code == 404:
            missing += 1
            if missing >= 5:
                return found
            continue
        assert reply.status_code == 200, reply.text
        missing = 0
        found.append(reply.json())
    raise AssertionError("unreachable")


def tickets(log: day_mod.Log, on_server: list[dict[str, Any]]) -> None:
    """Every ticket accounted for: numbered without gap or duplicate per service, each in the
    state the day left it in, transfers where they were sent."""
    numbers = [t["number"] for t in on_server]
    assert len(numbers) == len(set(numbers)), "a number was issued twice"
    for letter, group in itertools.groupby(sorted(numbers), key=lambda n: n[0]):
        assert [int(n[1:]) for n in group] == list(range(1, sum(1 for n in numbers if n[0] == letter) + 1))
    by_number = {t["number"]: t for t in on_server}
    by_id = {t["id"]: t for t in on_server}
    for number, tap in log.issued.items():
        assert by_number[number]["id"] == tap["ticket"]["id"]
    unsettled = [(t["number"], t["status"]) for t in on_server if t["status"] not in FINAL]
    assert not unsettled, f"tickets left unsettled: {unsettled}"
    for number, outcome in log.outcome.items():
        assert by_number[number]["status"] == outcome, (number, by_number[number], outcome)
    cancelled = {t["id"] for t in on_server if t["status"] == "cancelled"}
    assert cancelled == {f["ticket"]["id"] for f in log.print_failed}
    for failed in log.print_failed:
        assert "Số vừa cấp đã được hủy" in failed["failed"]
        assert by_id[failed["ticket"]["id"]]["number"] not in log.issued
    for number, (source, target) in log.transfers.items():
        ticket = by_number[number]
        assert (ticket["origin_service_id"], ticket["service_id"], ticket["status"]) == (
            source,
            target,
            "done",
        )


def _featured(event: dict[str, Any], *, counter: int, number: str) -> bool:
    return bool(event["event"] == "featured" and event["counter"] == counter and event["number"] == number)


def _collapsed(numbers: list[str]) -> list[str]:
    return [number for number, _ in itertools.groupby(numbers)]


def board(log: day_mod.Log, board_app: harness.App) -> int:
    """Every call of every counter featured on the board, in the order the counter made them
    (a recall that came while its first call still waited for its turn is shown once)."""
    for counter, calls in log.calls.items():
        if calls:
            board_app.wait_event(
                functools.partial(_featured, counter=counter, number=calls[-1]),
                timeout=60,
            )
    featured = [e for e in board_app.all_events if e["event"] == "featured"]
    shown: dict[int, list[str]] = collections.defaultdict(list)
    for event in featured:
        shown[event["counter"]].append(event["number"])
    for counter, calls in log.calls.items():
        assert _collapsed(shown[counter]) == _collapsed(calls), (
            f"counter {counter}: {shown[counter]} != {calls}"
        )
    return len(featured)


def prints(log: day_mod.Log, printer: fakeprinter.FakePrinter, client: httpx.Client) -> int:
    """Every printed ticket decodes to the image the kiosk showed for its number, and its QR to
    the ticket's own page, which shows that number."""
    import zxingcpp

    by_sha = {tap["image_sha"]: tap for tap in log.issued.values()}
    printed: dict[str, str] = {}
    strays = 0
    for index in range(len(printer.connections)):
        job = printer.job(index)
        if not job or fakeprinter.only_queries(job):
            continue
        image = raster.decode(job)
        tap = by_sha.get(hashlib.sha256(image.convert("1").tobytes()).hexdigest())
        if tap is None:
            strays += 1  # the jobs the paper ran out in: their numbers were cancelled
            continue
        assert tap["number"] not in printed, f"{tap['number']} printed twice"
        links = [result.text for result in zxingcpp.read_barcodes(image)]
        assert links == [tap["link"]], (tap["number"], links)
        printed[tap["number"]] = tap["link"]
    assert strays <= len(log.print_failed)
    assert sorted(printed) == sorted(log.issued)
    for number, link in printed.items():
        assert f">{number}<" in httpx.get(link, timeout=10).text, number
    return len(printed)


def pdf_text(path: pathlib.Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages).split())


def receipts(log: day_mod.Log, procedures: dict[int, dict[str, Any]]) -> int:
    """Each intake's receipt (Mẫu 01, two copies) names its code, applicant and procedure."""
    for code, dossier in log.dossiers.items():
        text = pdf_text(pathlib.Path(dossier["receipt"]))
        person = dossier["applicant"]
        procedure = procedures[dossier["procedure_id"]]
        assert text.count("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ") == 2, code
        for part in (code, person["full_name"], person["id_number"], person["phone"]):
            assert part in text, (code, part)
        assert " ".join(procedure["name"].split()) in text, (code, procedure["name"])
    return len(log.dossiers)


def dossiers(log: day_mod.Log, client: httpx.Client) -> None:
    """Each dossier taken in is on the server once, in the state the day's actions left it."""
    for code, dossier in log.dossiers.items():
        found = client.get(f"/dossiers/{code}").json()
        assert found["applicant"]["full_name"] == dossier["applicant"]["full_name"]
        actions = [a for c, a in log.actions + log.unanswered if c == code]
        expected = "received"
        if "refuse" in actions:
            expected = "refused"
        elif "return" in actions:
            expected = "returned"
        elif actions and actions[-1] == "supplement":
            expected = "supplement_requested"
        assert found["status"] == expected, (code, actions, found["status"])
        rating = log.ratings.get(code)
        if rating is not None:
            assert (found["rating"]["level"], found["rating"]["reason"] or "") == rating
        same_person = client.get("/dossiers", params={"id_number": dossier["applicant"]["id_number"]}).json()
        assert [d["code"] for d in same_person] == [code], "a dossier arrived twice"


def reports(
    log: day_mod.Log, supervisor: httpx.Client, on_server: list[dict[str, Any]], *, exact: bool
) -> dict[str, Any]:
    """Today's queue, dossier and satisfaction reports equal the figures of the day's log."""
    today = dt.datetime.now(calendar.VN_TZ).date().isoformat()
    period = {"start": today, "end": today}
    queue = supervisor.get("/reports/queue", params=period).json()["total"]
    outcomes = collections.Counter(t["status"] for t in on_server)
    assert (queue["issued"], queue["served"], queue["no_show"], queue["cancelled"]) == (
        len(on_server),
        outcomes["done"],
        outcomes["no_show"],
        outcomes["cancelled"],
    )
    assert queue["issued"] == len(log.issued) + len(log.print_failed) + len(_unacknowledged(log, on_server))
    moved = sum(1 for t in on_server if t["service_id"] != t["origin_service_id"])
    assert queue["transferred_out"] == moved
    if exact:  # no answer was lost: the log knows every outcome
        assert queue["served"] == sum(1 for o in log.outcome.values() if o == "done")
        assert queue["no_show"] == sum(1 for o in log.outcome.values() if o == "no_show")
        assert queue["transferred_out"] == len(log.transfers)
    files = supervisor.get("/reports/dossiers", params=period).json()["total"]
    actions = collections.Counter(a for _, a in log.actions + log.unanswered)
    assert (files["received"], files["returned"], files["supplement_requests"], files["refusals"]) == (
        len(log.dossiers),
        actions["return"],
        actions["supplement"],
        actions["refuse"],
    )
    assert files["returned_early"] == actions["return"]  # all handed back long before they were due
    ratings = supervisor.get("/reports/satisfaction", params=period).json()
    levels = collections.Counter(level for level, _ in log.ratings.values())
    total = ratings["total"]
    assert (total["very_satisfied"], total["satisfied"], total["dissatisfied"], total["total"]) == (
        levels["rat_hai_long"],
        levels["hai_long"],
        levels["khong_hai_long"],
        len(log.ratings),
    )
    reasons = collections.Counter(reason for _, reason in log.ratings.values() if reason)
    assert {r["reason"]: r["count"] for r in ratings["reasons"]} == dict(reasons)
    return {"queue": queue, "dossiers": files, "satisfaction": total}


def _unacknowledged(log: day_mod.Log, on_server: list[dict[str, Any]]) -> list[str]:
    """Tickets the server issued whose answer never reached the kiosk (the server died first)."""
    known = set(log.issued) | {t["number"] for t in on_server if t["status"] == "cancelled"}
    return [t["number"] for t in on_server if t["number"] not in known]


def whole_day(
    log: day_mod.Log,
    *,
    board_app: harness.App,
    printer: fakeprinter.FakePrinter,
    officer: httpx.Client,
    supervisor: httpx.Client,
    exact: bool = True,
) -> dict[str, Any]:
    on_server = server_tickets(officer)
    tickets(log, on_server)
    procedures = {p["id"]: p for p in officer.get("/procedures", params={"limit": 500}).json()}
    figures = {
        "tickets": len(on_server),
        "featured": board(log, board_app),
        "printed": prints(log, printer, officer),
        "receipts": receipts(log, procedures),
        "unacknowledged": _unacknowledged(log, on_server),
    }
    dossiers(log, officer)
    figures["reports"] = reports(log, supervisor, on_server, exact=exact)
    return figures
