"""Input the API cannot read gets a 4xx and a sentence a person understands (issue 16): never a
500, never the text of an exception, never our regular expressions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_stack.runtime import RunningStack

pytestmark = pytest.mark.integration

SUBMISSION = '{"type": "access", "jurisdiction": "ccpa", "email": "jane@example.com"'
LEAKS = ("Exceeds", "4300", "codec", "Traceback", "decode", "recursion", "\\d", "pattern", "Input should")


def _refused(answer: tuple[int, dict[str, Any], Any]) -> str:
    status, _, body = answer
    assert 400 <= status < 500, (status, body)
    text = json.dumps(body)
    assert not [leak for leak in LEAKS if leak in text], text
    message = str(body["message"])
    assert message.endswith(".")
    assert " " in message
    return message


def test_a_number_too_long_to_read_is_a_client_error(running: RunningStack, call_api: Any) -> None:
    body = SUBMISSION + ', "phone": ' + "5" * 5000 + "}"
    message = _refused(call_api("POST", "/requests", body))
    assert call_api("POST", "/requests", body)[0] == 400
    assert "number too long" in message
    ddb: Any = running.client("dynamodb")
    assert ddb.scan(TableName=running.stack.ref("RequestsTable"))["Count"] == 0


def test_lists_nested_too_deep_are_a_client_error(call_api: Any) -> None:
    deep = SUBMISSION + ', "phone": ' + "[" * 6000 + "]" * 6000 + "}"
    assert "nested too deeply" in _refused(call_api("POST", "/requests", deep))


def test_a_body_that_is_not_utf8_is_a_client_error(call_api: Any) -> None:
    body = (SUBMISSION + ', "name": "Jos\xe9"}').encode("latin-1")
    status, _, answer = call_api("POST", "/requests", body)
    assert status == 400
    assert "UTF-8" in _refused((status, {}, answer))


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain"])
def test_a_body_that_is_not_json_is_asked_for_as_json(call_api: Any, content_type: str) -> None:
    form = "type=access&jurisdiction=ccpa&email=jane%40example.com"
    status, _, body = call_api("POST", "/requests", form, headers={"Content-Type": content_type})
    assert status == 415
    assert "as JSON" in _refused((status, {}, body))
    assert "errors" not in body  # no list of fields the person never got wrong


def test_a_malformed_code_gets_a_sentence_not_a_pattern(call_api: Any) -> None:
    status, _, body = call_api("POST", "/requests/req_doesnotexist0000000/verify", {"code": "12ab56"})
    assert status == 422
    _refused((status, {}, body))
    assert body["errors"] == [
        {"field": "body.code", "reason": "Enter the 6-digit code we sent you (digits only)."}
    ]
