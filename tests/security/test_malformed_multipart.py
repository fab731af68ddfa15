"""Every multipart route answers a malformed body with a 400 `malformed_body` in the JSON error
shape, never a 500 (schemathesis found the first of these bodies on `POST /api/samples/batch`)."""

from __future__ import annotations

import httpx
import pytest

from tests.stack import Producer

BOUNDARY = "sp404boundary"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def _part_head(field: str) -> bytes:
    return (
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="{field}"; filename="upload.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()


def _malformed(kind: str, field: str) -> bytes:
    """A body that is not a well-formed multipart/form-data message with the file in `field`."""
    if kind == "fuzzer":
        return f"--{BOUNDARY}\r\n5.0--{BOUNDARY}--\r\n".encode()
    if kind == "other boundary":
        return _part_head(field).replace(BOUNDARY.encode(), b"elsewhere") + (
            b"RIFF....\r\n--elsewhere--\r\n"
        )
    if kind == "truncated":
        return _part_head(field) + b"RIFF" + bytes(300)
    if kind == "no part headers":
        return f"--{BOUNDARY}\r\n\r\nRIFF\r\n--{BOUNDARY}--\r\n".encode()
    if kind == "header without colon":
        return f"--{BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n".encode()
    if kind == "empty":
        return b""
    raise AssertionError(kind)


KINDS = [
    "fuzzer",
    "other boundary",
    "truncated",
    "no part headers",
    "header without colon",
    "empty",
]


def _assert_malformed(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "malformed_body"
    assert error["message"] and "request_id" in error


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("path", "field"), [("/api/samples", "audio"), ("/api/samples/batch", "archive")]
)
def test_malformed_uploads_to_the_engine_answer_400(
    engine: httpx.Client, account: Producer, path: str, field: str, kind: str
) -> None:
    response = engine.post(
        path,
        content=_malformed(kind, field),
        headers={**account.auth, "Content-Type": CONTENT_TYPE},
    )
    _assert_malformed(response)


@pytest.mark.parametrize("kind", KINDS)
def test_a_malformed_avatar_upload_answers_400(
    api: httpx.Client, account: Producer, kind: str
) -> None:
    response = api.put(
        "/api/account/avatar",
        content=_malformed(kind, "avatar"),
        headers={**account.auth, "Content-Type": CONTENT_TYPE},
    )
    _assert_malformed(response)


def test_a_well_formed_body_without_the_file_is_still_a_422(
    engine: httpx.Client, account: Producer
) -> None:
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nkick\r\n'
        f"--{BOUNDARY}--\r\n"
    ).encode()
    response = engine.post(
        "/api/samples", content=body, headers={**account.auth, "Content-Type": CONTENT_TYPE}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "missing_audio"
