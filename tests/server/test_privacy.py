"""Personal data never reaches the server's log, run as a centre runs it (qms-server run, info level)."""

from __future__ import annotations

import pathlib
import re
import uuid

import httpx

from tests.e2e import harness

ID_NUMBER = "025085001789"
PHONE = "0912345678"
NAME = "Nguyễn Văn An"


def password(data_dir: pathlib.Path, username: str) -> str:
    """A demo account's password, from the first run's credentials file."""
    text = (data_dir / "first-run-credentials.txt").read_text(encoding="utf-8")
    match = re.search(rf"user\s+{username}\s+\S+\s+password: (\S+)", text)
    assert match, text
    return match.group(1)


def test_id_numbers_phones_and_names_stay_out_of_the_log(tmp_path: pathlib.Path, database_url: str) -> None:
    data_dir = tmp_path / "data"
    server = harness.ServerProcess(
        data_dir=data_dir, database_url=database_url, log_dir=tmp_path, args=["--demo", "--log-level", "info"]
    )
    server.start()
    base = server.base_url
    try:
        api = httpx.Client(base_url=f"{base}/api/v1", timeout=30)
        login = api.post("/auth/login", json={"username": "canbo1", "password": password(data_dir, "canbo1")})
        api.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        procedure = api.get("/procedures", params={"q": "ly lich tu phap"}).json()[0]
        applicant = {"full_name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "address": "Việt Trì"}
        body = {
            "procedure_id": procedure["id"],
            "channel": "counter",
            "applicant": applicant,
            "documents": [{"name": "Tờ khai", "kind": "original", "copies": 1}],
            "sets": 1,
            "fee_collected": 0,
            "return_method": "counter",
        }
        intake = api.post("/dossiers", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert intake.status_code == 201, intake.text
        found = api.get("/dossiers", params={"id_number": ID_NUMBER})
        assert [d["code"] for d in found.json()] == [intake.json()["code"]]
        api.get("/procedures", params={"q": NAME})  # a name typed into a search box
        # The parameter's name percent-encoded: the same parameter to the server, and to the log.
        assert api.get(f"/dossiers?id%5Fnumber={ID_NUMBER}").status_code == 200
        code, token = intake.json()["code"], intake.json()["public_token"]
        public = httpx.get(f"{base}/api/v1/dossiers/{code}", params={"token": token}, timeout=10).text
        # The citizen's pages behind the QR codes: their tokens are keys to someone's data.
        assert httpx.get(f"{base}/tra-cuu/ho-so/{code}/{token}", timeout=10).status_code == 200
        ticket = api.post("/tickets", json={"service_id": 1}).json()
        assert httpx.get(f"{base}/tra-cuu/so/{ticket['public_token']}", timeout=10).status_code == 200
        api.close()
    finally:
        server.stop()
    server.check_logs()
    log = server.log_path.read_text(encoding="utf-8")
    assert "GET /api/v1/dossiers?id_number=*** HTTP/1.1" in log  # the request is logged, the number not
    for personal in (ID_NUMBER, PHONE, NAME, "Nguy%E1%BB%85n", token, ticket["public_token"]):
        assert personal not in log
    assert f"GET /tra-cuu/ho-so/{code}/*** HTTP/1.1" in log
    # The public page of the dossier masks them too.
    assert ID_NUMBER not in public and PHONE not in public and NAME not in public
