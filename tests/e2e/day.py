"""A day in the centre, compressed: the script (who takes which number, what each counter does
with each ticket and dossier) and its log, kept by the test as the apps answer.

The fate of each ticket and dossier is a function of its number or code (crc32), so a run is
the same whichever counter happens to call a ticket. The log holds only what the apps said.
"""

from __future__ import annotations

import collections
import dataclasses
import queue
import random
import threading
import time
import zlib
from typing import Any

import httpx

from counter_app.views import rating as rating_view
from tests.e2e import harness
from tests.hardware import fakeprinter

SERVICES = {"A": 5, "B": 3, "C": 3, "D": 4, "E": 2, "F": 2}  # weights of the day's demand
COUNTER_SERVICES = {1: [1], 2: [2], 3: [3], 4: [3, 6], 5: [4], 6: [4, 3], 7: [5, 6], 8: [6, 5, 1]}
# Procedures (demo catalogue ids and codes) taken in at the counters; none is due the same day.
PROCEDURES = {
    1: "1.001234",
    6: "1.001766",
    8: "1.002804",
    13: "1.009972",
    19: "2.001610",
    28: "1.012753",
    34: "2.000633",
    39: "1.001907",
    44: "2.001909",
    49: "1.004628",
    55: "1.000105",
    61: "1.002258",
}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Ngọc"]
GIVEN = [
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hương",
    "Khánh",
    "Lan",
    "Lựu",
    "Mai",
    "Nam",
    "Phúc",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trung",
    "Tú",
    "Yến",
]
PRINT_FAILS_AT = (37,)  # the kiosk's printer runs out of paper in the middle of these taps' jobs
PAPER_OUT_AT = 151  # and is found out of paper before this tap, until the paper is changed
LEVELS = ("rat_hai_long", "hai_long", "khong_hai_long")
NO_MORE = "Không còn ai chờ"
CALLS_FOR_NO_SHOW = 3


def _ended(reply: dict[str, Any]) -> bool:
    """The action's answer took the ticket off the desk (it failed otherwise: the server was away)."""
    return bool(reply["ok"]) and reply["current"] is None


def roll(key: str, salt: str = "") -> int:
    """0..99, the same for the same key in every run."""
    return zlib.crc32(f"{salt}{key}".encode()) % 100


def ticket_fate(ticket: dict[str, Any]) -> str:
    """no_show (6 %), transfer (6 %, once), else served; served ones bring a dossier 35 % of the time."""
    number, moved = ticket["number"], ticket["service_id"] != ticket["origin_service_id"]
    r = roll(number)
    if r < 6:
        return "no_show"
    if r < 12 and not moved:
        return "transfer"
    return "intake" if roll(number, "dossier") < 35 else "served"


def dossier_fate(code: str) -> str:
    r = roll(code)
    if r < 45:
        return "return"
    if r < 55:
        return "supplement_supplied"
    if r < 63:
        return "supplement"
    if r < 73:
        return "refuse"
    return "keep"


def applicant(index: int) -> dict[str, str]:
    """A citizen whose full name is unique in the day (the test finds the dossier by it)."""
    given, rest = GIVEN[index % len(GIVEN)], index // len(GIVEN)
    middle, rest = MIDDLE[rest % len(MIDDLE)], rest // len(MIDDLE)
    family = FAMILY[rest % len(FAMILY)]
    female = middle == "Thị"
    year = 60 + index % 40
    return {
        "full_name": f"{family} {middle} {given}",
        "id_number": f"025{1 if female else 0}{year:02d}{index:06d}",
        "phone": f"09{index:08d}",
        "address": f"Số {index + 1} đường Hùng Vương, phường Việt Trì, tỉnh Phú Thọ",
    }


@dataclasses.dataclass
class Log:
    issued: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # number -> tap reply
    print_failed: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    tap_refused: list[str] = dataclasses.field(default_factory=list)
    banners: list[str] = dataclasses.field(default_factory=list)  # the kiosk's, as seen
    unanswered: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # done, never answered
    calls: dict[int, list[str]] = dataclasses.field(default_factory=lambda: collections.defaultdict(list))
    outcome: dict[str, str] = dataclasses.field(default_factory=dict)  # number -> done / no_show
    transfers: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)  # number -> (from, to)
    dossiers: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)  # code -> what we know
    actions: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (code, action)
    ratings: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)  # code -> (level, reason)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


class Day:
    """Runs the day: one kiosk thread taking numbers, one thread per counter calling them."""

    def __init__(
        self,
        *,
        tickets: int,
        kiosk: harness.App,
        counters: dict[int, harness.App],
        printer: fakeprinter.FakePrinter,
        back_office: httpx.Client,
        act_timeout: float = 30.0,
        seed: int = 9,
    ) -> None:
        self.tickets = tickets
        self.kiosk = kiosk
        self.counters = counters
        self.printer = printer
        self.back_office = back_office  # the agencies' side: marks results ready (not a client app)
        self.act_timeout = act_timeout
        self.rng = random.Random(seed)
        self.log = Log()
        self.kiosk_done = threading.Event()
        self.tasks: queue.Queue[tuple[str, str]] = queue.Queue()  # (action, code) for any counter
        self.open_tasks = 0
        self.taps = 0
        self.errors: list[BaseException] = []
        self.faults: list[str] = []  # commands that failed because the server was away
        self._intakes = 0
        # The day ends when every counter found nothing to do at once (see _idle): a counter
        # holding a ticket may still transfer it to a line only another counter calls.
        self._working = len(counters)  # counters not idle; changed under _turn
        self._turn = threading.Condition()
        self._over = False

    # ------------------------------------------------------------ running

    def run(self, *, on_tap: Any = None, day_timeout: float = 1200.0) -> None:
        threads = [threading.Thread(target=self._guard, args=(self.take_numbers, on_tap), name="kiosk")]
        threads += [
            threading.Thread(target=self._guard, args=(self.work_counter, n), name=f"counter-{n}")
            for n in self.counters
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + day_timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in threads):
            try:
                waiting: Any = {s["code"]: s["waiting"] for s in self.back_office.get("/services").json()}
            except httpx.TransportError:
                waiting = "unknown (the server does not answer)"
            self.errors.append(
                AssertionError(
                    f"the day did not end in {day_timeout:g} s: still running "
                    f"{[t.name for t in threads if t.is_alive()]}, waiting {waiting}, "
                    f"{self.open_tasks} dossier task(s) open, {len(self.log.issued)} issued"
                )
            )
            with self._turn:
                self._turn.notify_all()
            for thread in threads:
                thread.join(60)
        if self.errors:
            raise self.errors[0]

    def _guard(self, work: Any, argument: Any) -> None:
        try:
            work(argument)
        except BaseException as exc:
            self.errors.append(exc)
            self.kiosk_done.set()
            with self._turn:
                self._turn.notify_all()

    def take_numbers(self, on_tap: Any) -> None:
        letters, weights = list(SERVICES), list(SERVICES.values())
        while len(self.log.issued) < self.tickets and not self.errors:
            self.taps += 1
            if on_tap is not None:
                on_tap(self, self.taps)
            if self.taps == PAPER_OUT_AT:
                self._paper_out()
            failing = self.taps in PRINT_FAILS_AT
            if failing:
                self.printer.mode = fakeprinter.Mode.PAPER_OUT_MID_JOB
            letter = self.rng.choices(letters, weights)[0]
            group = "elderly" if self.rng.random() < 0.08 else None
            reply = self.kiosk.ask("tap", service=letter, group=group, timeout=self.act_timeout)
            if failing:
                self.printer.mode = fakeprinter.Mode.ONLINE  # paper back in
            with self.log.lock:
                if not reply["ok"]:
                    self.log.tap_refused.append(reply["error"])
                elif "failed" in reply and reply["ticket"] is None:
                    self.log.tap_refused.append(reply["failed"])  # nothing issued (the server was away)
                elif "failed" in reply:
                    self.log.print_failed.append(reply)
                else:
                    self.log.issued[reply["number"]] = reply
        self.kiosk_done.set()

    def _paper_out(self) -> None:
        """No paper: the kiosk says so and takes no number until paper is back."""
        self.printer.mode = fakeprinter.Mode.PAPER_OUT
        state = self.kiosk.until("state", lambda s: not s["enabled"] and bool(s["banner"]))
        self.log.banners.append(state["banner"])
        self.printer.mode = fakeprinter.Mode.ONLINE
        self.kiosk.until("state", lambda s: s["enabled"] and s["banner"] is None)

    # ------------------------------------------------------------ a counter

    def work_counter(self, number: int) -> None:
        app = self.counters[number]
        handled: set[str] = set()  # tickets whose intake was recorded here
        while not self.errors:
            state = app.do("state", counter=number)
            current = state["current"]
            if current is None:
                if self._dossier_task(app, number):
                    continue
                if not self._call(app, number) and self._idle():
                    return
                continue
            self._serve(app, number, current, handled)

    def _idle(self) -> bool:
        """This counter found nothing to do: True once the day is over.

        A counter counts as working from the moment it leaves here until it is back, so when
        none is working, none holds a ticket or is calling one: the day is over then if the
        kiosk is done, no dossier task is open and nobody waits. Until then a counter goes back
        to work only when there may be work (a counter still serving may transfer its ticket to
        a line only this one calls).
        """
        with self._turn:
            self._working -= 1
            while not (self._over or self.errors):
                quiet = self.kiosk_done.is_set() and self.open_tasks == 0 and self._nobody_waiting()
                if quiet and self._working == 0:
                    self._over = True
                    self._turn.notify_all()
                    break
                # Ends early when the day is over (notify_all).
                self._turn.wait(0.1)  # fixed wait is right: other threads make new work and tell no one
                if not quiet:
                    self._working += 1
                    return False
            return True

    def _act(self, app: harness.App, number: int, action: str, **args: Any) -> dict[str, Any]:
        reply = app.ask("act", counter=number, action=action, timeout=self.act_timeout, **args)
        if not reply["ok"] and "timed out" not in reply["error"]:
            raise harness.AppFailed(f"counter {number} {action}: {reply['error']}")
        return reply

    def _call(self, app: harness.App, number: int) -> bool:
        """Press "next"; True when a ticket came (or the reply was lost: the state will tell)."""
        reply = self._act(app, number, "next")
        if not reply["ok"]:
            return True
        if reply["current"] is not None:
            self._note_call(number, reply["current"]["number"])
            return True
        return NO_MORE not in reply["message"]

    def _note_call(self, number: int, ticket: str) -> None:
        with self.log.lock:
            self.log.calls[number].append(ticket)

    def _serve(self, app: harness.App, number: int, ticket: dict[str, Any], handled: set[str]) -> None:
        calls = self.log.calls[number]
        if not calls or calls[-1] != ticket["number"]:  # a call whose reply was lost (a fault)
            self._note_call(number, ticket["number"])
        fate = ticket_fate(ticket)
        if ticket["status"] == "called":
            if fate == "no_show" and ticket["call_count"] < CALLS_FOR_NO_SHOW:
                reply = self._act(app, number, "recall")
                if reply["ok"]:
                    self._note_call(number, ticket["number"])
            elif fate == "no_show":
                if _ended(self._act(app, number, "no_show")):
                    self.log.outcome[ticket["number"]] = "no_show"
            elif fate == "transfer":
                others = [s for s in (1, 2, 3, 4, 5, 6) if s != ticket["service_id"]]
                target = others[roll(ticket["number"], "to") % len(others)]
                if _ended(self._act(app, number, "transfer", service=target)):
                    self.log.transfers[ticket["number"]] = (ticket["service_id"], target)
            else:
                self._act(app, number, "start")
            return
        if fate == "intake" and ticket["number"] not in handled:
            handled.add(ticket["number"])
            self._intake(app, number, ticket)
        if _ended(self._act(app, number, "finish")):
            self.log.outcome[ticket["number"]] = "done"

    def _intake(self, app: harness.App, number: int, ticket: dict[str, Any]) -> None:
        with self.log.lock:
            index = self._intakes
            self._intakes += 1
        procedure = list(PROCEDURES)[roll(ticket["number"], "procedure") % len(PROCEDURES)]
        person = applicant(index)
        reply = app.do(
            "intake",
            counter=number,
            procedure_id=procedure,
            procedure_code=PROCEDURES[procedure],
            applicant=person,
            ticket_id=ticket["id"],
            timeout=self.act_timeout,
        )
        code = reply["code"]
        with self.log.lock:
            self.log.dossiers[code] = {
                "applicant": person,
                "procedure_id": procedure,
                "counter": number,
                "ticket": ticket["number"],
                "receipt": reply["receipt"],
            }
        self._plan_dossier(code)

    # ------------------------------------------------------------ dossiers

    def _plan_dossier(self, code: str) -> None:
        fate = dossier_fate(code)
        if fate == "keep":
            return
        if fate == "return":
            reply = self.back_office.post(f"/dossiers/{code}/ready")
            assert reply.status_code == 200, reply.text
            self._add_task("return", code)
        elif fate == "refuse":
            self._add_task("refuse", code)
        else:
            self._add_task("supplement", code)

    def _add_task(self, action: str, code: str) -> None:
        with self.log.lock:
            self.open_tasks += 1
        self.tasks.put((action, code))

    def _dossier_task(self, app: harness.App, number: int) -> bool:
        try:
            action, code = self.tasks.get_nowait()
        except queue.Empty:
            return False
        if action == "return":
            self._hand_back(app, number, code)
        else:
            reason = {
                "refuse": "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận.",
                "supplement": "Tờ khai chưa ghi đủ thông tin; đề nghị bổ sung bản chính.",
            }
            reply = app.ask(
                "dossier_action",
                counter=number,
                code=code,
                action=action,
                reason=reason.get(action),
                timeout=self.act_timeout,
            )
            if not reply["ok"]:  # the server went away meanwhile: was it done or not?
                self._settle(action, code, reply["error"])
                with self.log.lock:
                    self.open_tasks -= 1
                return True
            with self.log.lock:
                self.log.actions.append((code, action))
            if action == "supplement" and dossier_fate(code) == "supplement_supplied":
                self._add_task("supplemented", code)
        with self.log.lock:
            self.open_tasks -= 1
        return True

    def _settle(self, action: str, code: str, error: str) -> None:
        """An action whose answer never came: done again if the server did not get it."""
        status = self.back_office.get(f"/dossiers/{code}").json()["status"]
        done = {"supplement": "supplement_requested", "refuse": "refused", "supplemented": "received"}[action]
        if status == done:
            with self.log.lock:
                self.log.unanswered.append((code, action))
            if action == "supplement" and dossier_fate(code) == "supplement_supplied":
                self._add_task("supplemented", code)
            return
        self.faults.append(f"{action} {code}: {error[-200:]}")
        self._add_task(action, code)

    def _hand_back(self, app: harness.App, number: int, code: str) -> None:
        receiver = self.log.dossiers[code]["applicant"]["full_name"]
        app.do("return", counter=number, code=code, receiver=receiver, timeout=self.act_timeout)
        level = LEVELS[roll(code, "rating") % 3]
        reason = (
            rating_view.REASONS[roll(code, "reason") % len(rating_view.REASONS)] if level == LEVELS[2] else ""
        )
        app.do("rate", counter=number, level=level, reason=reason)
        with self.log.lock:
            self.log.actions.append((code, "return"))
            self.log.ratings[code] = (level, reason)

    def _nobody_waiting(self) -> bool:
        try:
            reply = self.back_office.get("/services")
        except httpx.TransportError:  # the server is away (the faults tests): ask again later
            return False
        return reply.status_code == 200 and sum(s["waiting"] for s in reply.json()) == 0
