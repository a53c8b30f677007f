"""The ops CLI's rough edges (issue 18): ``--json`` after the subcommand, errors as one
sentence and the HTTP status, a missing or refused credential said as such, paging on
``list``, ``show`` as a story, ``replay --wait``."""

from __future__ import annotations

from typing import Any

import pytest

from privacy_ops import cli

STORY = {
    "headline": "Deletion request under CCPA, received by web on 2026-12-06 10:00 UTC; in progress.",
    "failure": None,
    "groups": [
        {
            "phase": "work",
            "title": "Work done (each store's result)",
            "events": [
                {
                    "at": "2026-12-06T10:01:00+00:00",
                    "phase": "work",
                    "text": "Erased store calls.",
                    "actor": "workflow",
                }
            ],
        }
    ],
}


class FakeClient:
    """Answers the ops API's paths from a script; records what was asked."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, Any]] = []

    def call(self, method: str, path: str, body: Any = None) -> Any:
        self.calls.append((method, path, body))
        for prefix, answer in self.answers.items():
            if path.startswith(prefix):
                if isinstance(answer, list) and answer and callable(answer[0]):
                    return answer.pop(0)()
                if isinstance(answer, Exception):
                    raise answer
                return answer
        raise AssertionError(f"unexpected call {method} {path}")


def run(monkeypatch: pytest.MonkeyPatch, answers: dict[str, Any], argv: list[str]) -> tuple[int, FakeClient]:
    client = FakeClient(answers)
    monkeypatch.setattr(cli, "OpsClient", lambda *a, **k: client)
    return cli.main(argv), client


@pytest.mark.parametrize("argv", [["--json", "notices"], ["notices", "--json"], ["holds", "list", "--json"]])
def test_json_is_accepted_before_and_after_the_subcommand(argv: list[str]) -> None:
    assert cli.build_parser().parse_args(["--operator", "a", *argv]).json is True


def test_json_defaults_to_off_after_the_subcommand() -> None:
    assert cli.build_parser().parse_args(["notices"]).json is False


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, {"message": "Not found."}, "Not found: no such request or item (check the id). (HTTP 404)"),
        (
            422,
            {
                "message": "The input is not valid.",
                "errors": [{"field": "body.reason", "reason": "too short"}],
            },
            "The input is not valid (reason: too short). (HTTP 422)",
        ),
        (
            409,
            {"message": "This action cannot move the request.", "why": "it is completed: not replayed"},
            "This action cannot move the request: it is completed: not replayed. (HTTP 409)",
        ),
        (502, {"message": "Internal server error"}, "Internal server error. (HTTP 502)"),
        (500, "plain text", "plain text. (HTTP 500)"),
    ],
)
def test_errors_are_one_sentence_and_the_http_status(status: int, body: Any, expected: str) -> None:
    said = cli._error_text(cli.OpsApiError(status, body))

    assert said == expected
    assert "{" not in said
    assert "'" not in said.replace("'s", "")


@pytest.mark.parametrize(
    "message",
    [
        "Missing Authentication Token",
        "The security token included in the request is invalid.",
        "Forbidden: the caller is not the privacy operations role",
    ],
)
def test_a_refused_credential_is_said_as_such(message: str) -> None:
    said = cli._error_text(cli.OpsApiError(403, {"message": message}))

    assert said.startswith("The ops API refused your credentials (HTTP 403)")


def test_no_credentials_is_said_as_such_not_error_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    monkeypatch.setattr(boto3.Session, "get_credentials", lambda self: None)
    monkeypatch.delenv("PRIVACY_OPERATOR", raising=False)

    code = cli.main(["--api-url", "https://ops.example", "notices"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("No AWS credentials were found to sign the request")
    assert "Error 0" not in err


def test_list_pages(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    row = {
        "type": "access",
        "jurisdiction": "gdpr",
        "channel": "web",
        "status": "failed",
        "due_at": "2026-12-10",
        "status_changed_at": "2026-12-06T10:00:00+00:00",
        "failed_step": "Resolve",
    }
    rows = [row | {"request_id": f"req_{n}"} for n in range(3)]  # a page of 2, and one more

    code, client = run(
        monkeypatch, {"/ops/requests": rows, "/ops/notices": []}, ["list", "--limit", "2", "--page", "2"]
    )

    out = capsys.readouterr().out
    assert code == 0
    assert "limit=3" in client.calls[0][1]
    assert "offset=2" in client.calls[0][1]
    assert "req_2" not in out
    assert "more on the next page: --page 3" in out


def test_show_tells_the_story(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    detail = {
        "request_id": "req_1",
        "type": "deletion",
        "jurisdiction": "ccpa",
        "channel": "web",
        "status": "in_progress",
        "received_at": "2026-12-06T10:00:00+00:00",
        "due_at": "2027-01-20",
        "subject": {"email": "j***@example.com", "phone": None},
        "proven_identifiers": ["email"],
        "execution_status": "RUNNING",
        "replays": 0,
        "waiting_for": [],
        "completed_steps": [],
        "timeline": [
            {"at": "2026-12-06T10:00:00+00:00", "source": "audit", "event": "raw.event", "detail": {}}
        ],
        "story": STORY,
    }

    assert run(monkeypatch, {"/ops/requests/req_1": detail}, ["show", "req_1"])[0] == 0
    out = capsys.readouterr().out
    assert "Work done (each store's result):" in out
    assert "Erased store calls." in out
    assert "raw.event" not in out

    assert run(monkeypatch, {"/ops/requests/req_1": detail}, ["show", "req_1", "--timeline"])[0] == 0
    assert "raw.event" in capsys.readouterr().out


def test_replay_wait_follows_until_the_request_ends(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli.time, "sleep", lambda seconds: None)

    def detail(status: str, running: bool, texts: list[str]) -> dict[str, Any]:
        events = [{"at": f"2026-12-06T10:0{i}:00+00:00", "text": t} for i, t in enumerate(texts)]
        return {
            "request_id": "req_1",
            "status": status,
            "execution_status": "RUNNING" if running else "SUCCEEDED",
            "waiting_for": [],
            "failure": None,
            "story": {"headline": "", "failure": None, "groups": [{"events": events}]},
        }

    states = [
        lambda: detail("in_progress", True, ["Request received."]),
        lambda: detail("in_progress", True, ["Request received.", "Erased store calls."]),
        lambda: detail("completed", False, ["Request received.", "Erased store calls.", "Now completed."]),
    ]
    answers: dict[str, Any] = {
        "/ops/requests/req_1/replay": {"execution": "req_1-r1", "status": "in_progress"}
    }
    answers["/ops/requests/req_1"] = states

    code, _ = run(monkeypatch, answers, ["replay", "req_1", "--reason", "connector fixed", "--wait"])

    out = capsys.readouterr().out
    assert code == 0
    assert out.index("Erased store calls.") < out.index("Now completed.")
    assert "Request received." not in out  # what was there before the replay is not repeated
    assert out.strip().endswith("req_1 is completed.")


def test_a_correction_taken_by_phone_names_each_change_with_the_value_held(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entered = {"request_id": "req_phonecorrection0001", "due_at": "2027-01-05"}
    argv = ["phone", "--type", "correction", "--jurisdiction", "gdpr", "--email", "jo@example.com"]
    argv += ["--change", "name", "Jo Exmple", "Jo Example", "--change", "phone", "", "+14155550123"]
    status, client = run(monkeypatch, {"/ops/requests": entered}, argv)

    assert status == 0
    [(method, path, body)] = client.calls
    assert (method, path) == ("POST", "/ops/requests")
    assert body["corrections"] == [
        {"field": "name", "held": "Jo Exmple", "corrected": "Jo Example"},
        {"field": "phone", "held": "", "corrected": "+14155550123"},
    ]


def test_a_correction_review_denies_fields_with_the_reasons_read_and_keeps_its_own_for_the_audit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reviewed = {"request_id": "req_1", "denied": ["company"]}
    argv = ["correction", "req_1", "--deny", "company", "--reason", "the contract names the old company"]
    status, client = run(
        monkeypatch,
        {"/ops/requests/req_1/correction": reviewed},
        [*argv, "--audit-reason", "contract checked"],
    )

    assert status == 0
    [(method, path, body)] = client.calls
    assert (method, path) == ("POST", "/ops/requests/req_1/correction")
    assert body == {
        "deny": [{"field": "company", "reason": "the contract names the old company"}],
        "reason": "contract checked",
    }


def test_a_withdrawal_of_consent_to_recording_is_taken_by_phone(monkeypatch: pytest.MonkeyPatch) -> None:
    entered = {"request_id": "req_phonewithdrawal001", "due_at": "2027-01-05"}
    argv = ["phone", "--type", "withdraw_consent", "--jurisdiction", "gdpr", "--phone", "+14155550123"]
    status, client = run(
        monkeypatch, {"/ops/requests": entered}, [*argv, "--consent-to-withdraw", "recording"]
    )

    assert status == 0
    [(_, _, body)] = client.calls
    assert body["consent_to_withdraw"] == ["recording"]
    assert "corrections" not in body


@pytest.mark.parametrize(("flags", "route"), [([], "documents"), (["--recording"], "recordings")])
def test_a_document_or_recording_under_review_opens_through_a_short_link(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], flags: list[str], route: str
) -> None:
    link = {"key": "k", "kind": "pdf", "url": "https://example.com/signed", "expires_in": 300}
    argv = ["open", "req_reviewdocument0001", "permissions/req_reviewdocument0001/a.pdf", *flags]
    status, client = run(monkeypatch, {"/ops/requests/": link}, [*argv, "--reason", "approving the agent"])

    assert status == 0
    [(method, path, body)] = client.calls
    assert (method, path) == ("POST", f"/ops/requests/req_reviewdocument0001/{route}/link")
    assert body == {"key": "permissions/req_reviewdocument0001/a.pdf", "reason": "approving the agent"}
    out = capsys.readouterr().out
    assert "https://example.com/signed" in out
    assert "5 minutes" in out
