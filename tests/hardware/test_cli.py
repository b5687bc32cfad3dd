"""``python -m hardware test-print`` / ``status`` as a technician runs them."""

from __future__ import annotations

import collections.abc
import contextlib
import os
import pathlib
import subprocess
import sys

import pytest
from PIL import Image

from hardware import cli, raster
from tests.hardware import fakeprinter

Mode = fakeprinter.Mode
ROOT = pathlib.Path(__file__).resolve().parents[2]
FakeFactory = collections.abc.Callable[..., fakeprinter.FakePrinter]


@pytest.fixture
def fakes() -> collections.abc.Iterator[FakeFactory]:
    with contextlib.ExitStack() as stack:

        def start(mode: Mode = Mode.ONLINE) -> fakeprinter.FakePrinter:
            return stack.enter_context(fakeprinter.FakePrinter(mode))

        yield start


def run(*args: str, program: collections.abc.Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    command = list(program) or [sys.executable, "-m", "hardware"]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [*command, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_test_print_prints_a_decodable_ticket(fakes: FakeFactory) -> None:
    fake = fakes(Mode.ONLINE)
    done = run("test-print", fake.url)
    assert done.returncode == 0, done.stderr
    assert "Trạng thái trước khi in: Sẵn sàng" in done.stdout
    assert "Trạng thái sau khi in: Sẵn sàng" in done.stdout
    assert "In thử thành công" in done.stdout
    fake.wait_closed(2)  # the status check, then the job
    ticket = raster.decode(fake.job(1))
    assert ticket.width == 576
    assert ticket.height > 300
    assert 0 in ticket.tobytes()  # some ink


def test_test_print_width_and_near_end_warning(fakes: FakeFactory) -> None:
    fake = fakes(Mode.NEAR_END)
    done = run("test-print", fake.url, "--width", "384")
    assert done.returncode == 0, done.stderr
    assert "Trạng thái sau khi in: Sắp hết giấy" in done.stdout
    assert "giấy sắp hết" in done.stdout
    fake.wait_closed(2)
    assert raster.decode(fake.job(1)).width == 384


def test_test_print_without_paper_fails_in_vietnamese(fakes: FakeFactory) -> None:
    fake = fakes(Mode.PAPER_OUT)
    done = run("test-print", fake.url)
    assert done.returncode == 1
    assert "Trạng thái trước khi in: Hết giấy" in done.stdout
    assert "Lỗi: Máy in hết giấy. Vui lòng báo cán bộ hỗ trợ." in done.stderr
    fake.wait_closed(1)
    assert fakeprinter.only_queries(bytes(fake.stream))


def test_test_print_to_an_unreachable_printer(fakes: FakeFactory) -> None:
    fake = fakes(Mode.REFUSE)
    done = run("test-print", fake.url)
    assert done.returncode == 1
    assert "Máy in đang tắt hoặc mất kết nối." in done.stderr


@pytest.mark.parametrize(
    ("mode", "code", "label"),
    [
        (Mode.ONLINE, 0, "Sẵn sàng"),
        (Mode.NEAR_END, 0, "Sắp hết giấy"),
        (Mode.COVER_OPEN, 1, "Nắp máy in đang mở"),
        (Mode.SILENT, 1, "Máy in không phản hồi"),
    ],
)
def test_status_command(fakes: FakeFactory, mode: Mode, code: int, label: str) -> None:
    fake = fakes(mode)
    done = run("status", f"{fake.url}?status_timeout=0.2")
    assert done.returncode == code
    assert f"Trạng thái máy in {fake.url}?status_timeout=0.2: {label}" in done.stdout


def test_bad_url_exits_2_and_names_it() -> None:
    done = run("status", "tcp://10.0.0.5?width=500")
    assert done.returncode == 2
    assert "Địa chỉ máy in không hợp lệ: «tcp://10.0.0.5?width=500»" in done.stderr


def test_console_script_defaults_to_test_print(fakes: FakeFactory) -> None:
    script = pathlib.Path(sys.executable).with_name("qms-test-print")
    if not script.exists():
        pytest.skip(reason="qms-test-print is not installed in this environment (pip install -e .)")
    fake = fakes(Mode.ONLINE)
    done = run(fake.url, program=[str(script)])
    assert done.returncode == 0, done.stderr
    assert "In thử thành công" in done.stdout


def test_main_in_process_to_a_preview_folder(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["test-print", f"preview://{tmp_path}", "--width", "512"]) == 0
    out = capsys.readouterr().out
    assert "Không kiểm tra được trạng thái" in out
    (png_path,) = tmp_path.glob("*.png")
    with Image.open(png_path) as png:
        assert png.width == 512
