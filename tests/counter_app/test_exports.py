"""The counter app's spreadsheets made from what the real server hands out: the tracking book
(Sổ theo dõi) and the supervisor's satisfaction report. A name or reason starting like a formula
stays text in them, as typed, and never becomes a formula."""

from __future__ import annotations

import datetime as dt
import pathlib

import openpyxl

from apiclient import client
from counter_app import forms
from counter_app.reports import export, model
from onestop import calendar
from tests import live
from tests.server.test_exports import (
    ADDRESS,
    AGENCY,
    APPLICANT,
    DAY,
    OFFICER,
    PROCEDURE,
    REASON,
    formulas,
    hostile_day,
    text_cell,
)


def test_the_tracking_book_spreadsheet_keeps_names_as_text(
    server: live.LiveServer, tmp_path: pathlib.Path
) -> None:
    code = hostile_day(server).code
    with client.Client(server.base_url) as officer:
        officer.login("canbo1", live.PASSWORD)
        rows = officer.tracking_book(DAY, DAY)
    path = forms.tracking_book_xlsx(rows, tmp_path / "so.xlsx", start=DAY, end=DAY)
    book = openpyxl.load_workbook(path)
    assert formulas(book) == []
    name = text_cell(book, APPLICANT)
    sheet = name.parent
    line = [cell.value for cell in sheet[name.row]]
    assert line[1] == code and line[2] == PROCEDURE and line[5] == AGENCY
    assert line[4].startswith(ADDRESS)
    text_cell(book, PROCEDURE)
    text_cell(book, AGENCY)


def test_the_satisfaction_spreadsheet_keeps_reasons_and_names_as_text(
    server: live.LiveServer, tmp_path: pathlib.Path
) -> None:
    hostile_day(server)
    query = model.Query(kind=model.Kind.SATISFACTION, start=DAY, end=DAY, group_by="officer")
    with client.Client(server.base_url) as supervisor:
        supervisor.login("giamsat", live.PASSWORD)
        report = model.build(query, model.fetch(supervisor, query), "Trung tâm Phục vụ hành chính công")
    now = dt.datetime.combine(DAY, dt.time(17, 0), tzinfo=calendar.VN_TZ)
    book = openpyxl.load_workbook(export.xlsx(report, tmp_path / "hai-long.xlsx", now=now))
    assert formulas(book) == []
    reason = text_cell(book, REASON)
    assert reason.parent.title == "Lý do không hài lòng"
    assert reason.parent.cell(reason.row, 2).value == 1  # the count stays a number
    officer = text_cell(book, OFFICER)
    assert officer.parent.title == "Báo cáo"
    assert officer.parent.cell(officer.row, 4).value == 1  # one "not satisfied", a number
