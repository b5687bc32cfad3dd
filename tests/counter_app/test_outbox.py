"""The counter PC's outbox on a real SQLite file: what is recorded survives a restart, keeps
its order and key, belongs to its officer, and is finished once."""

from __future__ import annotations

import pathlib

from counter_app import outbox


def test_recorded_work_survives_reopening_in_order_with_its_key(tmp_path: pathlib.Path):
    path = tmp_path / "pc" / "outbox.sqlite3"
    box = outbox.Outbox(path)
    first = box.add(outbox.INTAKE, {"applicant": {"full_name": "Nguyễn Văn An"}}, username="canbo1")
    second = box.add(outbox.RETURN, {"code": "X-1", "returned_to": "Bà Lựu"}, username="canbo1")
    box.close()  # as if the app (or the PC) stopped here

    again = outbox.Outbox(path)
    queued = again.queued("canbo1")
    assert [w.kind for w in queued] == [outbox.INTAKE, outbox.RETURN]
    assert [w.key for w in queued] == [first.key, second.key]
    assert queued[0].body == {"applicant": {"full_name": "Nguyễn Văn An"}}
    assert len({first.key, second.key}) == 2
    again.close()


def test_work_belongs_to_the_officer_who_recorded_it(tmp_path: pathlib.Path):
    box = outbox.Outbox(tmp_path / "outbox.sqlite3")
    box.add(outbox.RATING, {"code": "X-1", "level": "hai_long"}, username="canbo1")
    box.add(outbox.RATING, {"code": "X-2", "level": "hai_long"}, username="canbo2")
    assert [w.body["code"] for w in box.queued("canbo2")] == ["X-2"]
    assert box.count_queued() == 2
    box.close()


def test_work_is_finished_once(tmp_path: pathlib.Path):
    box = outbox.Outbox(tmp_path / "outbox.sqlite3")
    work = box.add(outbox.INTAKE, {"n": 1}, username="canbo1")
    box.mark_sent(work.id, {"code": "X-9"})
    box.mark_failed(work.id, "late refusal")  # a finished piece is not reopened
    done = box.get(work.id)
    assert (done.state, done.reply, done.error) == (outbox.SENT, {"code": "X-9"}, None)
    refused = box.add(outbox.RETURN, {"code": "X-8"}, username="canbo1")
    box.mark_failed(refused.id, "Hồ sơ X-8 chưa có kết quả.")
    assert [w.error for w in box.failed("canbo1")] == ["Hồ sơ X-8 chưa có kết quả."]
    assert box.queued() == []
    box.close()
