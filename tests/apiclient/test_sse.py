"""The text/event-stream parser, fed the way a network delivers: in arbitrary pieces."""

from __future__ import annotations

import pytest

from apiclient import sse


def _feed_all(chunks: list[bytes], **kwargs: str | None) -> tuple[sse.Parser, list[sse.Message]]:
    parser = sse.Parser(**kwargs)
    messages = []
    for chunk in chunks:
        messages.extend(parser.feed(chunk))
    return parser, messages


def _bytewise(text: bytes) -> list[bytes]:
    return [text[i : i + 1] for i in range(len(text))]


SERVER_STYLE = (
    b": connected\nretry: 1000\n\n"
    b'event: ticket.called\ndata: {"id": 7}\nid: 7\n\n'
    b": heartbeat\n\n"
    b'event: ticket.recalled\ndata: {"id": 8}\nid: 8\n\n'
)


@pytest.mark.parametrize("split", ["whole", "bytewise"])
def test_events_comments_and_retry(split: str) -> None:
    chunks = [SERVER_STYLE] if split == "whole" else _bytewise(SERVER_STYLE)
    parser, messages = _feed_all(chunks)
    assert messages == [
        sse.Message(event="ticket.called", data='{"id": 7}', last_id="7"),
        sse.Message(event="ticket.recalled", data='{"id": 8}', last_id="8"),
    ]
    assert parser.retry_ms == 1000
    assert parser.comments == 2
    assert parser.last_id == "8"


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
@pytest.mark.parametrize("split", ["whole", "bytewise"])
def test_every_line_ending(eol: bytes, split: str) -> None:
    text = eol.join([b"id: 1", b"data: first", b"data: second", b"", b"data: third", b"", b""])
    chunks = [text] if split == "whole" else _bytewise(text)
    _, messages = _feed_all(chunks)
    assert [(m.data, m.last_id) for m in messages] == [("first\nsecond", "1"), ("third", "1")]


def test_a_crlf_split_between_reads_is_one_line_end() -> None:
    _, messages = _feed_all([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"])
    assert [m.data for m in messages] == ["a\nb"]


def test_a_character_split_between_reads_survives() -> None:
    text = "data: Quầy số 1 mời số A007\n\n".encode()
    cut = text.index("ầ".encode()) + 1  # in the middle of a multi-byte character
    _, messages = _feed_all([text[:cut], text[cut:]])
    assert messages[0].data == "Quầy số 1 mời số A007"


def test_an_unfinished_event_at_the_end_is_not_dispatched() -> None:
    parser, messages = _feed_all([b"data: whole\nid: 1\n\ndata: half\nid: 2\n"])
    assert [m.data for m in messages] == ["whole"]
    assert parser.last_id == "1"


@pytest.mark.parametrize(
    ("text", "data", "event"),
    [
        (b"data:no space\n\n", "no space", "message"),
        (b"data:  two spaces\n\n", " two spaces", "message"),
        (b"data\n\n", "", "message"),
        (b"data\ndata\n\n", "\n", "message"),
        (b"event: x\ndata: 1\n\n", "1", "x"),
        (b"data: 1\nunknown: field\n\n", "1", "message"),
        (b"\xef\xbb\xbfdata: after a BOM\n\n", "after a BOM", "message"),
        (b"data: a:b: c\n\n", "a:b: c", "message"),
    ],
)
def test_field_parsing(text: bytes, data: str, event: str) -> None:
    _, messages = _feed_all([text])
    assert [(m.data, m.event) for m in messages] == [(data, event)]


def test_an_event_without_data_is_not_dispatched_but_moves_the_id() -> None:
    parser, messages = _feed_all([b"event: ping\nid: 41\n\n"], last_id="40")
    assert messages == []
    assert parser.last_id == "41"


def test_the_last_id_carries_over_and_ignores_nul() -> None:
    parser, messages = _feed_all([b"data: 1\n\nid: bad\x00id\ndata: 2\n\n"], last_id="9")
    assert [m.last_id for m in messages] == ["9", "9"]
    assert parser.last_id == "9"


def test_the_event_type_resets_after_each_dispatch() -> None:
    _, messages = _feed_all([b"event: a\ndata: 1\n\ndata: 2\n\n"])
    assert [m.event for m in messages] == ["a", "message"]


@pytest.mark.parametrize("value", [b"soon", b"-5", b"1.5", b"\xd9\xa1"])  # the last: Arabic-Indic 1
def test_a_retry_that_is_not_digits_is_ignored(value: bytes) -> None:
    parser, _ = _feed_all([b"retry: " + value + b"\n\n"])
    assert parser.retry_ms is None


def test_a_line_without_end_beyond_the_limit_is_refused() -> None:
    parser = sse.Parser()
    with pytest.raises(sse.StreamError):
        parser.feed(b"data: " + b"x" * sse.MAX_LINE)
