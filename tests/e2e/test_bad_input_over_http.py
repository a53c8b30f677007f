"""Bodies the API cannot read, sent over HTTP to the local stack as a client would send them: a
4xx with a sentence, never a 500 (issue 16)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from local_stack.runtime import RunningStack

pytestmark = pytest.mark.e2e


def _post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode())


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (b'{"type": "access", "jurisdiction": "ccpa", "phone": ' + b"7" * 5000 + b"}", "application/json",
         400, "number too long"),
        (b'{"type": "access", "jurisdiction": "ccpa", "name": "Jos\xe9"}', "application/json", 400, "UTF-8"),
        (b"type=access&jurisdiction=ccpa&email=a%40example.net", "application/x-www-form-urlencoded",
         415, "as JSON"),
    ],
    ids=["long-number", "latin-1", "form"],
)  # fmt: skip
def test_an_unreadable_body_is_answered_with_a_sentence(
    local: RunningStack, body: bytes, content_type: str, status: int, words: str
) -> None:
    answered, answer = _post(f"{local.api_url}/requests", body, content_type)
    assert (answered, words in answer["message"]) == (status, True), answer
    assert "Internal error" not in answer["message"]
