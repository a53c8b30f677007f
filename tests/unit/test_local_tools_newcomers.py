"""The small things a newcomer trips on (issue 18): the local tools write into the stack
`make run` serves on $AWS_PORT, and the outbox page's links can be clicked."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack import drop_mail, seed
from local_stack.http_api import linked, render_outbox
from local_stack.outbox import Outbox, OutboxMessage


def test_seed_and_drop_mail_default_to_the_stack_on_aws_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("AWS_PORT", "5099")
    assert seed.default_endpoint() == "http://127.0.0.1:5099"

    reached: list[str] = []

    def client(service: str, endpoint_url: str, **_: Any) -> Any:
        reached.append(endpoint_url)
        raise ConnectionError("stop here")

    monkeypatch.setattr(drop_mail.boto3, "client", client)
    message = tmp_path / "m.eml"
    message.write_bytes(b"From: a@example.org\r\n\r\nhi\r\n")
    with pytest.raises(ConnectionError):
        drop_mail.main([str(message)])
    assert reached == ["http://127.0.0.1:5099"]


def test_without_aws_port_the_default_is_5000(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_PORT", raising=False)
    assert seed.default_endpoint() == "http://127.0.0.1:5000"


def test_the_outbox_page_links_are_clickable_and_the_rest_escaped() -> None:
    outbox = Outbox()
    outbox.add(
        OutboxMessage(
            channel="email",
            to=["jane@example.com"],
            subject="We received your request",
            body="Follow it at http://127.0.0.1:8080/status.html#request=req_1&token=k1.abc.\n"
            "<b>not bold</b>",
            sent_at="2026-12-06T10:00:00Z",
            message_id="m1",
        )
    )

    page = render_outbox(outbox)

    assert "<pre>" not in page
    assert '<a href="http://127.0.0.1:8080/status.html#request=req_1&amp;token=k1.abc">' in page
    assert "&lt;b&gt;not bold&lt;/b&gt;" in page
    assert linked('see "https://x.example/a?b=1".') == (
        'see &quot;<a href="https://x.example/a?b=1">https://x.example/a?b=1</a>&quot;.'
    )
