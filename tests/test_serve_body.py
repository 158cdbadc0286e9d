"""The framing rules of :mod:`cmp.serve_body`: when a request read by the event loop is whole.

Pure; a real ``cmp serve`` against the same requests is in tests/test_slow_clients.py.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cmp.serve_body import MAX_HEAD, MORE, READY, TOO_LARGE, Frame

HEAD = b"POST /api/v1/sites/demo/consents HTTP/1.1\r\nHost: x\r\n"


def _limit(path: str) -> int:
    return 100 if path.endswith("/consents") else 10_000


def _chunked(pieces: list[bytes], trailer: bytes = b"") -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces if p)
    return HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + body + b"0\r\n" + trailer + b"\r\n"


def _feed_bytewise(data: bytes) -> list[str]:
    frame = Frame(_limit)
    out = []
    for n in range(1, len(data) + 1):
        out.append(frame.feed(data[:n]))
        if out[-1] != MORE:
            break
    return out


@given(st.lists(st.binary(min_size=1, max_size=20), max_size=4), st.booleans())
def test_a_chunked_request_is_ready_exactly_when_whole(pieces, trailer) -> None:
    data = _chunked(pieces, b"X-T: 1\r\n" if trailer else b"")
    verdicts = _feed_bytewise(data)
    total = sum(len(p) for p in pieces)
    assert verdicts[-1] == READY and len(verdicts) == len(data)
    assert set(verdicts[:-1]) <= {MORE}
    frame = Frame(_limit)
    assert frame.feed(data + b"GET / HTTP/1.1\r\n") == READY and frame.body_bytes == total


@given(st.integers(min_value=0, max_value=100))
def test_a_content_length_body_is_ready_when_all_of_it_came(length) -> None:
    data = HEAD + b"Content-Length: %d\r\n\r\n" % length + b"x" * length
    verdicts = _feed_bytewise(data)
    assert verdicts[-1] == READY and len(verdicts) == len(data)


def test_bodies_over_the_paths_limit_are_refused_before_they_arrive() -> None:
    assert Frame(_limit).feed(HEAD + b"Content-Length: 101\r\n\r\n") == TOO_LARGE
    keyed = b"POST /api/v1/sites/demo/provision-checks HTTP/1.1\r\nContent-Length: 101\r\n\r\n"
    assert Frame(_limit).feed(keyed) == MORE  # that path's limit is the larger one
    frame = Frame(_limit)
    assert frame.feed(HEAD + b"Transfer-Encoding: chunked\r\n\r\n65\r\n") == TOO_LARGE
    assert frame.limit == 100


def test_what_gunicorn_refuses_is_handed_on_at_once() -> None:
    cases = [
        HEAD + b"Content-Length: 3\r\nContent-Length: 3\r\n\r\n",
        HEAD + b"Content-Length: 3x\r\n\r\n",
        HEAD + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        HEAD + b"Transfer-Encoding: gzip\r\n\r\n",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
        b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_HEAD + 1),
    ]
    for data in cases:
        assert Frame(_limit).feed(data) == READY, data
    assert Frame(_limit).feed(HEAD + b"Transfer-Encoding: gzip, chunked\r\n\r\n") == MORE
    assert Frame(_limit).feed(b"GET /livez HTTP/1.1\r\nHost: x\r\n") == MORE
    assert Frame(_limit).feed(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n") == READY
