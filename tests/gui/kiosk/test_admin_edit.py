"""An admin's edit reaches the hall: the kiosk's buttons follow the services the admin API sets."""

from __future__ import annotations

from tests import live
from tests.gui.kiosk.conftest import ready

WAIT_MS = 15_000
NEW_SERVICE = {
    "centre_id": 1,
    "code": "K",
    "name": "Khu công nghiệp – Đầu tư, Lao động",
    "letter": "K",
    "number_width": 3,
    "priority_policy": "strict",
    "priority_every": 3,
    "default_service_minutes": 12,
    "active": True,
    "field_ids": [1],
}


def test_a_renamed_and_a_new_service_show_on_the_kiosk(kiosk, qtbot, server: live.LiveServer) -> None:
    qtbot.waitUntil(lambda: ready(kiosk), timeout=WAIT_MS)
    assert "K" not in kiosk.window.home.buttons
    admin = server.user("admin")
    service_a = kiosk.window.home.buttons["A"].service["id"]
    current = admin.get(f"/admin/services/{service_a}").raise_for_status().json()
    renamed = {**current, "name": "Tư pháp – Hộ tịch – Chứng thực – Quốc tịch"}
    admin.put(f"/admin/services/{service_a}", json=renamed).raise_for_status()
    # A rename alone (the same services) reaches the button's face.
    qtbot.waitUntil(
        lambda: (
            kiosk.window.home.buttons["A"].title.text() == "A  ·  Tư pháp – Hộ tịch – Chứng thực – Quốc tịch"
        ),
        timeout=WAIT_MS,
    )
    assert admin.post("/admin/services", json=NEW_SERVICE).status_code == 201

    def shown() -> None:
        buttons = kiosk.window.home.buttons
        assert "K" in buttons, "the new service has no button yet"
        assert buttons["K"].title.text() == "K  ·  Khu công nghiệp – Đầu tư, Lao động"
        assert buttons["A"].title.text() == "A  ·  Tư pháp – Hộ tịch – Chứng thực – Quốc tịch"

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    # Taken out of use: its button goes.
    admin.put(f"/admin/services/{service_a}", json={**renamed, "active": False}).raise_for_status()
    qtbot.waitUntil(lambda: "A" not in kiosk.window.home.buttons, timeout=WAIT_MS)
