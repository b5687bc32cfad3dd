"""Real counter apps (``counter_app.app.CounterApp``), one window and officer per counter, in
one process: the test presses their buttons and fills their forms; each answers when its screen
says the action is over."""

from __future__ import annotations

import pathlib
import time
from typing import Any

from PySide6 import QtCore, QtWidgets

from counter_app import app as counter_app
from counter_app import config as counter_config
from counter_app import outbox, window
from counter_app.views import transfer
from onestop.enums import DossierStatus
from qtkit import tasks
from tests.e2e import channel

Checked = QtCore.Qt.CheckState.Checked
FORM_DONE = {"supplement": "Mẫu 02 đã in", "supplemented": "Mẫu 01 đã in", "refuse": "Mẫu 03 đã in"}


class CounterDriver:
    def __init__(
        self,
        application: QtWidgets.QApplication,
        *,
        server: str,
        seats: list[tuple[int, str]],
        password: str,
        data_dir: pathlib.Path,
    ) -> None:
        window.apply_theme(application)
        self.apps: dict[int, counter_app.CounterApp] = {}
        self.sent: dict[int, list[dict[str, Any]]] = {}
        for number, user in seats:
            config = counter_config.CounterConfig(
                server=server,
                counter=number,
                user=user,
                password=password,
                data_dir=str(data_dir / f"counter-{number}"),
                resync_seconds=60.0,
            )
            app = self.apps[number] = counter_app.CounterApp(config)
            self.sent[number] = []
            app.work.sync.sent.connect(lambda work, n=number: self._on_sent(n, work))
        self.handlers: dict[str, channel.Handler] = {
            "state": self.state,
            "act": self.act,
            "intake": self.intake,
            "dossier_action": self.dossier_action,
            "find": self.find,
            "return": self.hand_back,
            "rate": self.rate,
            "flush": self.flush,
        }

    def start(self) -> None:
        for app in self.apps.values():
            app.start()
            app.window.resize(1366, 768)

    def shutdown(self) -> None:
        for app in self.apps.values():
            app.shutdown()

    def _on_sent(self, number: int, work: outbox.Work) -> None:
        reply = work.reply or {}
        applicant = reply.get("applicant") or {}
        self.sent[number].append(
            {
                "kind": work.kind,
                "key": work.key,
                "code": reply.get("code"),
                "name": applicant.get("full_name"),
            }
        )

    def _app(self, request: channel.Request) -> counter_app.CounterApp:
        app = self.apps.get(int(request["counter"]))
        if app is None:
            raise channel.Failed(f"no counter {request['counter']} in this process")
        return app

    # ------------------------------------------------------------ the desk

    def _screen(self, app: counter_app.CounterApp) -> dict[str, Any]:
        desk = app.window.desk
        return {
            "desk": app.window.stack.currentWidget() is desk,
            "connected": app.desk.connection.connected,
            "connection": desk.connection.text(),
            "shown": desk.number.text(),
            "current": app.desk.current,
            "message": desk.message.text() if desk.message.isVisible() else "",
            "unsynced": desk.unsynced.text() if desk.unsynced.isVisible() else "",
            "queued": app.outbox.count_queued(),
        }

    def state(self, request: channel.Request) -> None:
        request.reply(**self._screen(self._app(request)))

    def act(self, request: channel.Request) -> None:
        """Press the desk's button for ``action`` once it is enabled; answer when the reply is in.
        ``service`` (a service id) is the transfer dialog's choice."""
        app, action = self._app(request), str(request["action"])
        button = app.window.desk.buttons[action]

        def ready() -> bool | None:
            return True if button.isEnabled() and not app.desk.busy else None

        def press(_: object) -> None:
            if action == "transfer":
                chosen = int(request["service"])
                original = transfer.TransferDialog.ask
                transfer.TransferDialog.ask = staticmethod(lambda *_a, **_k: chosen)  # type: ignore[method-assign]
                try:
                    button.click()
                finally:
                    transfer.TransferDialog.ask = original  # type: ignore[method-assign]
            else:
                button.click()
            if not app.desk.busy:
                raise channel.Failed(f"pressing {action} started nothing")
            request.wait(
                lambda: None if app.desk.busy else True,
                lambda _: request.reply(**self._screen(app)),
                what=f"{action} to finish",
            )

        request.wait(ready, press, what=f"the {action} button to be enabled")

    # ------------------------------------------------------------ dossiers

    def intake(self, request: channel.Request) -> None:
        """Fill the intake form for the ticket being served and submit it; answer once the server
        gave the code and the receipt is saved, or at once with ``queued`` if told not to wait."""
        app, applicant = self._app(request), request["applicant"]
        name = applicant["full_name"]

        def form_open() -> Any:
            dialog = app.work.intake_dialog
            return dialog if dialog is not None and dialog.isVisible() else None

        def fill(dialog: Any) -> None:
            dialog.search.setText(request["procedure_code"])
            for row in range(dialog.results.count()):
                item = dialog.results.item(row)
                if item.data(QtCore.Qt.ItemDataRole.UserRole)["id"] == request["procedure_id"]:
                    dialog.results.setCurrentItem(item)
            if dialog.procedure is None or dialog.procedure["id"] != request["procedure_id"]:
                raise channel.Failed(
                    f"procedure {request['procedure_code']} is not in the intake form's list"
                )
            for field, value in applicant.items():
                dialog.fields[field].edit.setText(value)
            dialog.papers.item(0, 0).setCheckState(Checked)
            if not dialog.submit.isEnabled():
                raise channel.Failed("the intake form refuses: " + " ".join(dialog.problems()))
            queued = app.outbox.count_queued()
            dialog.submit.click()
            if not request.get("wait_sent", True):
                request.wait(
                    lambda: True if app.outbox.count_queued() > queued else None,
                    lambda _: request.reply(recorded=True, **self._screen(app)),
                    what="the outbox",
                )
                return
            request.wait(
                lambda: self._receipt(app, name),
                lambda found: request.reply(**found),
                what=f"the receipt of {name}",
            )

        self._press(app, "intake")
        request.wait(form_open, fill, what="the intake form")

    def _receipt(self, app: counter_app.CounterApp, name: str) -> dict[str, Any] | None:
        number = int(app.desk.counter["number"]) if app.desk.counter else 0
        done = [s for s in self.sent.get(number, []) if s["kind"] == outbox.INTAKE and s["name"] == name]
        if not done:
            return None
        path = app.work.receipts / f"{done[-1]['code']}.pdf"
        message = app.window.desk.message.text()
        return {"code": done[-1]["code"], "receipt": str(path), "message": message} if path.exists() else None

    def _press(self, app: counter_app.CounterApp, action: str) -> None:
        button = app.window.desk.buttons[action]
        if not button.isEnabled():
            raise channel.Failed(f"the {action} button is disabled")
        button.click()

    def _open_dossier(self, request: channel.Request, then: Any) -> None:
        """Open "Trả kết quả", look the code up, then ``then(dialog)`` once it is shown."""
        app, code = self._app(request), str(request["code"])
        button = app.window.desk.buttons["return"]

        def opened(_: object) -> None:
            button.click()
            dialog = app.work.return_dialog
            assert dialog is not None
            dialog.query.setText(code)
            dialog.search.click()
            asked = [time.monotonic()]

            def shown() -> Any:
                if self._shown(dialog, code):
                    return dialog
                if (
                    dialog.found is None
                    and dialog.note.text() != "Đang tìm…"
                    and time.monotonic() - asked[0] > 1
                ):
                    asked[0] = time.monotonic()  # the look-up failed (the server went away): ask again
                    dialog.search.click()
                return None

            request.wait(shown, then, what=f"dossier {code} with its history in the return dialog")

        request.wait(lambda: True if button.isEnabled() else None, opened, what="the return button")

    @staticmethod
    def _shown(dialog: Any, code: str) -> bool:
        """The dossier and its history are on screen (what the officer waits for)."""
        found = dialog.found
        return bool(found and found["code"] == code and "Quá trình giải quyết" in dialog.details.toHtml())

    def dossier_action(self, request: channel.Request) -> None:
        """Supplement request (Mẫu 02), papers supplied (Mẫu 01) or refusal (Mẫu 03)."""
        app, action = self._app(request), str(request["action"])

        def act(dialog: Any) -> None:
            button = dialog.action_buttons[action]
            if not button.isEnabled():
                raise channel.Failed(f"{action} is not offered for {dialog.found['status_name']}")
            button.click()
            if action != "supplemented":
                asked: Any = app.work.action_dialog
                if action == "supplement":
                    asked.items.item(0, 0).setCheckState(Checked)
                asked.reason.setPlainText(request["reason"])
                asked.accept()
            code = dialog.found["code"]
            request.wait(
                lambda: (
                    dialog.note.text()
                    if FORM_DONE[action] in dialog.note.text() and self._shown(dialog, code)
                    else None
                ),
                lambda note: finish(dialog, note),
                what=f"{FORM_DONE[action]}",
            )

        def finish(dialog: Any, note: str) -> None:
            request.reply(note=note, status=dialog.found["status"])
            dialog.reject()

        self._open_dossier(request, act)

    def hand_back(self, request: channel.Request) -> None:
        """Hand the result back to ``receiver``; the citizen's rating screen then asks."""
        app = self._app(request)

        def give(dialog: Any) -> None:
            if dialog.found["status"] != DossierStatus.READY:
                raise channel.Failed(f"dossier {dialog.found['code']} is {dialog.found['status']}")
            dialog.receiver.setText(request["receiver"])
            dialog.submit.click()
            rating = app.work.rating
            request.wait(
                lambda: (
                    True if rating.isVisible() and rating.stack.currentWidget() is rating.ask_page else None
                ),
                lambda _: request.reply(question=rating.question.text()),
                what="the rating screen",
            )

        dialog = app.work.return_dialog
        code = str(request["code"])
        if dialog is not None and tasks.alive(dialog) and dialog.isVisible() and self._shown(dialog, code):
            give(dialog)  # looked up before (while the server was still there)
        else:
            self._open_dossier(request, give)

    def find(self, request: channel.Request) -> None:
        """Look a dossier up in "Trả kết quả" and leave it on screen, as an officer about to hand
        it back does."""
        self._open_dossier(request, lambda dialog: request.reply(status=dialog.found["status"]))

    def rate(self, request: channel.Request) -> None:
        """The citizen touches a level (and a reason when not satisfied)."""
        app = self._app(request)
        rating = app.work.rating
        if rating.stack.currentWidget() is not rating.ask_page:
            raise channel.Failed("the rating screen is not asking")
        rating.levels[request["level"]].click()
        if request.get("reason"):
            rating.reasons[request["reason"]].click()
        if rating.stack.currentWidget() is not rating.thanks:
            raise channel.Failed("the rating screen did not thank")
        request.reply(**self._screen(app))

    def flush(self, request: channel.Request) -> None:
        """Wait until this counter's outbox is empty; answer with all it sent so far."""
        app = self._app(request)
        number = int(request["counter"])
        request.wait(
            lambda: True if app.outbox.count_queued() == 0 else None,
            lambda _: request.reply(
                sent=self.sent[number],
                failed=[w.error for w in app.outbox.failed(app.config.user or "")],
                **self._screen(app),
            ),
            what="the outbox to empty",
        )
