"""The local stack as a newcomer meets it: HTTP on 127.0.0.1, the outbox, the AWS endpoint."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from local_stack import demo
from local_stack.aws import stored_body
from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_ops.smoke import Canary, Smoke, local_target

pytestmark = pytest.mark.e2e
#: How long a test waits for the stack before it fails (as in tests/conftest.py): only a failure
#: waits this long, and a busy two-core runner is slow.
PATIENCE = float(os.environ.get("TEST_PATIENCE_SECONDS", "120"))


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"} | (headers or {})
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text.startswith(("{", "[")) else text
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "null")


def verify_with_codes_from_the_outbox(
    local: RunningStack, created: dict[str, Any], recipients: list[str]
) -> None:
    """What the person does: read each code we sent them and type it in."""
    request_id = created["request_id"]
    for recipient in recipients:
        deadline = time.monotonic() + PATIENCE
        code = None
        while code is None and time.monotonic() < deadline:
            _, messages = http("GET", f"{local.api_url}/_local/outbox")
            for message in messages:
                found = re.search(r"code is (\d{6})", message["body"])
                if recipient in message["to"] and request_id in message["body"] and found:
                    code = found.group(1)
                    break
            time.sleep(0.1)
        assert code, f"no code for {recipient}"
        status, answer = http(
            "POST",
            f"{local.api_url}/requests/{request_id}/verify",
            {"code": code},
            headers={"Authorization": f"Bearer {created['status_token']}"},
        )
        assert status == 200, answer


def wait_for_final_message(
    local: RunningStack,
    request_id: str,
    is_final: Callable[[dict[str, Any]], bool],
    timeout: float = PATIENCE,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, messages = http("GET", f"{local.api_url}/_local/outbox")
        final = next((m for m in messages if request_id in m["subject"] + m["body"] and is_final(m)), None)
        if final is not None:
            return dict(final)
        time.sleep(0.2)
    raise AssertionError(f"no final message for {request_id}")


def wait_for_mail(
    local: RunningStack, recipient: str, timeout: float = PATIENCE, subject: str = ""
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, messages = http("GET", f"{local.api_url}/_local/outbox")
        mine = [m for m in messages if recipient in m["to"] and subject in m["subject"]]
        if mine:
            return mine[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing sent to {recipient}")


def test_a_request_over_http_is_acknowledged_in_the_outbox(local: RunningStack) -> None:
    status, body = http(
        "POST",
        f"{local.api_url}/requests",
        {"type": "deletion", "jurisdiction": "ccpa", "email": "e2e@example.net"},
    )

    assert status == 202
    message = wait_for_mail(local, "e2e@example.net")
    assert body["request_id"] in message["subject"]
    assert message["sent_at"]
    assert local.api_url in message["body"]


def test_the_status_link_from_the_acknowledgement_opens_the_status(local: RunningStack) -> None:
    _, body = http(
        "POST",
        f"{local.api_url}/requests",
        {"type": "access", "jurisdiction": "gdpr", "email": "link@example.net"},
    )
    message = wait_for_mail(local, "link@example.net")
    token = message["body"].split("token=")[1].split()[0]

    status, view = http(
        "GET", f"{local.api_url}/requests/{body['request_id']}", headers={"Authorization": f"Bearer {token}"}
    )

    assert status == 200
    assert view["request_id"] == body["request_id"]


def test_the_aws_endpoint_shows_the_same_state(local: RunningStack) -> None:
    _, body = http(
        "POST",
        f"{local.api_url}/requests",
        {"type": "access", "jurisdiction": "gdpr", "email": "aws@example.net"},
    )
    wait_for_mail(local, "aws@example.net")
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=local.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
    )

    def status() -> str:
        item = ddb.get_item(
            TableName=local.stack.ref("RequestsTable"), Key={"request_id": {"S": body["request_id"]}}
        )
        return str(item["Item"]["status"]["S"])

    deadline = time.monotonic() + PATIENCE
    while status() != "awaiting_verification" and time.monotonic() < deadline:
        time.sleep(0.1)

    assert status() == "awaiting_verification"


def test_unknown_paths_and_the_outbox_page(local: RunningStack) -> None:
    missing, _ = http("GET", f"{local.api_url}/nope")
    page_status, page = http("GET", f"{local.api_url}/_local/outbox.html")

    assert missing == 404
    assert page_status == 200
    assert "Local outbox" in page


def test_the_ops_cli_prints_a_demo_subjects_footprint(
    local: RunningStack, capsys: pytest.CaptureFixture[str]
) -> None:
    dana = demo.SUBJECTS["dana"]

    code = ops_cli.main(
        [
            "--api-url",
            local.api_url,
            "--operator",
            "alice",
            "lookup",
            "--phone",
            dana.phone or "",
            "--reason",
            "e2e walkthrough",
        ]
    )

    output = capsys.readouterr().out
    assert code == 0
    assert "calls               customer acme  4" in output
    assert (
        f"Total: {sum(demo.expected_counts('dana').values())} records" in output
    )  # 22, and her 12 lake rows


def test_the_ops_cli_json_flags_the_switchboard(
    local: RunningStack, capsys: pytest.CaptureFixture[str]
) -> None:
    phone = demo.SUBJECTS["switchboard"].phone or ""

    code = ops_cli.main(
        [
            "--api-url",
            local.api_url,
            "--operator",
            "alice",
            "--json",
            "lookup",
            "--phone",
            phone,
            "--reason",
            "e2e walkthrough",
        ]
    )

    summary = json.loads(capsys.readouterr().out)
    assert code == 0
    calls = [c for c in summary["counts"] if c["store"] == "calls"]
    assert sum(c["released"] + c["not_released"] for c in calls) == 2500  # the switchboard's calls
    assert summary["total_records"] > 2500  # and their lake events, leads...
    assert len(summary["flags"]) >= 2


def test_the_ops_api_refuses_an_anonymous_caller(local: RunningStack) -> None:
    status, _ = http("POST", f"{local.api_url}/ops/lookups", {"phone": "+14155550132", "reason": "anonymous"})

    assert status == 403


def test_a_lookup_reason_with_personal_data_is_refused(local: RunningStack) -> None:
    status, body = http(
        "POST",
        f"{local.api_url}/ops/lookups",
        {"phone": "+14155550132", "reason": "caller jane@example.com asked"},
        headers={"X-Local-Operator": "alice"},
    )

    assert status == 422
    assert "jane@" not in json.dumps(body)


def test_a_fault_injected_locally_is_replayed_to_completion_with_the_cli(
    local: RunningStack, capsys: pytest.CaptureFixture[str]
) -> None:
    http(
        "POST",
        f"{local.api_url}/_local/faults",
        {"function": "ApplyPreferencesFunction", "error": "ConnectorTimeout"},
    )
    _, created = http(
        "POST",
        f"{local.api_url}/requests",
        {
            "type": "opt_out",
            "jurisdiction": "ccpa",
            "email": "fault@example.net",
            "opt_out_of": ["marketing"],
        },
    )
    request_id = created["request_id"]
    cli = ["--api-url", local.api_url, "--operator", "alice"]

    def status() -> str:
        ops_cli.main([*cli, "--json", "show", request_id])
        return str(json.loads(capsys.readouterr().out)["status"])

    deadline = time.monotonic() + PATIENCE
    while status() != "failed" and time.monotonic() < deadline:
        time.sleep(0.1)
    ops_cli.main([*cli, "show", request_id])
    shown = capsys.readouterr().out
    assert "FAILED at step ApplyPreferences: ConnectorTimeout" in shown

    http("DELETE", f"{local.api_url}/_local/faults")
    assert ops_cli.main([*cli, "replay", request_id, "--reason", "connector fixed"]) == 0
    capsys.readouterr()
    while status() != "completed" and time.monotonic() < deadline + PATIENCE:
        time.sleep(0.1)

    assert status() == "completed"
    sent = [m for m in http("GET", f"{local.api_url}/_local/outbox")[1] if "fault@example.net" in m["to"]]
    assert len(sent) == 2  # one acknowledgement, one confirmation: nothing sent twice


#: What the AWS CLI does against `make run`, from a process of its own: Athena through the endpoint.
_ATHENA_CLIENT = """
import sys, time, boto3
endpoint, workgroup, output, database, table = sys.argv[1:]
athena = boto3.client("athena", endpoint_url=endpoint, region_name="us-east-1")
started = athena.start_query_execution(
    QueryString=f"SELECT count(*) AS events FROM {table} WHERE caller_phone = ?",
    ExecutionParameters=[f"'{sys.stdin.read().strip()}'"],
    QueryExecutionContext={"Database": database},
    ResultConfiguration={"OutputLocation": output},
    WorkGroup=workgroup,
)
query = started["QueryExecutionId"]
def state():
    return athena.get_query_execution(QueryExecutionId=query)["QueryExecution"]["Status"]["State"]
while state() in ("QUEUED", "RUNNING"):
    time.sleep(0.1)
rows = athena.get_query_results(QueryExecutionId=query)["ResultSet"]["Rows"]
print(rows[1]["Data"][0]["VarCharValue"])
"""


def test_a_client_in_another_process_queries_the_lake_through_the_aws_endpoint(local: RunningStack) -> None:
    """moto's server does not route Athena; the local stack's server answers it with the same
    local Athena its handlers use, so the AWS CLI (or a benchmark's worker) reaches the lake."""
    from privacy_rights.core.data_map import load_data_map

    lake = load_data_map().store("call_events_lake").lake
    assert lake is not None
    assert local.aws_endpoint is not None
    environment = local.lambdas.merged_environment()
    arguments = [local.aws_endpoint, environment["ATHENA_WORKGROUP"], environment["ATHENA_OUTPUT"]]
    completed = subprocess.run(  # noqa: S603 (this interpreter, a script of this module's)
        [sys.executable, "-c", _ATHENA_CLIENT, *arguments, lake.database, lake.table],
        check=False,
        input=demo.SUBJECTS["dana"].phone,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert int(completed.stdout.strip()) > 0  # Dana's calls' events, found in the Parquet files


def test_the_openapi_document_is_generated_from_the_resolvers(local: RunningStack) -> None:
    status, document = http("GET", f"{local.api_url}/openapi.json")

    assert status == 200
    assert {"/requests", "/requests/{request_id}", "/requests/{request_id}/verify"} <= set(document["paths"])
    assert "SubmitRequest" in document["components"]["schemas"]
    status, index = http("GET", f"{local.api_url}/docs")
    assert status == 200
    for api in ("PublicApi", "OpsApi", "CustomerApi", "InternalApi"):
        assert f"/docs/{api}.json" in index
    status, ops = http("GET", f"{local.api_url}/docs/OpsApi.json")
    assert status == 200
    assert "/ops/lookups" in ops["paths"]


def test_the_built_in_identity_provider_signs_in_a_demo_account_holder(local: RunningStack) -> None:
    sam = demo.SUBJECTS["sam"]
    wrong = http("POST", f"{local.api_url}/_local/idp/sign-in", {"email": sam.email, "password": "guess"})
    status, answer = http(
        "POST", f"{local.api_url}/_local/idp/sign-in", {"email": sam.email, "password": "local-demo-password"}
    )

    assert wrong[0] == 401
    assert status == 200
    assert answer["id_token"].count(".") == 2


def test_mail_sent_over_smtp_is_acknowledged_and_other_addresses_are_refused(
    local: RunningStack, capsys: pytest.CaptureFixture[str]
) -> None:
    import smtplib
    from email.message import EmailMessage

    assert local.smtp is not None
    message = EmailMessage()
    message["From"] = "Sam Smtp <sam.smtp@example.net>"
    message["To"] = "info@callx.com"
    message["Subject"] = "Please delete my data"
    message.set_content("I would like you to erase all personal data you hold about me.")
    with smtplib.SMTP("127.0.0.1", local.smtp.port, timeout=10) as smtp:
        smtp.send_message(message)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.send_message(message, to_addrs=["someone-else@callx.com"])

    assert wait_for_mail(local, "sam.smtp@example.net", subject="We received your privacy request")

    # The poller took the message off inbound/; ops see nothing waiting for review.
    assert ops_cli.main(["--api-url", local.api_url, "--operator", "e2e", "mail", "list"]) == 0
    assert "Nothing in human_review." in capsys.readouterr().out


def test_a_dropped_eml_file_is_taken_in(local: RunningStack, tmp_path: Any) -> None:
    from local_stack import drop_mail

    path = tmp_path / "unsubscribe.eml"
    path.write_bytes(
        b"From: Drop Test <drop.test@example.org>\r\nTo: info@callx.com\r\nSubject: unsubscribe\r\n"
        b"Message-ID: <drop-1@example.org>\r\n\r\nPlease unsubscribe me from your marketing emails.\r\n"
    )
    assert drop_mail.main([str(path), "--aws-endpoint", str(local.aws_endpoint)]) == 0
    acknowledgement = wait_for_mail(local, "drop.test@example.org", subject="We received")
    assert "opt out" in acknowledgement["body"]


def test_a_verified_access_request_ends_with_a_link_that_downloads_the_zip(local: RunningStack) -> None:
    import io
    import re
    import zipfile

    status, body = http(
        "POST",
        f"{local.api_url}/requests",
        {"type": "access", "jurisdiction": "gdpr", "email": demo.MARCUS.email, "phone": demo.MARCUS.phone},
    )
    assert status == 202, body
    request_id = body["request_id"]
    verify_with_codes_from_the_outbox(local, body, [demo.MARCUS.email, demo.MARCUS.phone])
    final = wait_for_final_message(local, request_id, lambda m: "is complete" in m["subject"])
    assert "Download your data" in final["body"]
    token = re.search(r"token=([\w.-]+)", final["body"]).group(1)  # type: ignore[union-attr]
    status, link = http(
        "GET",
        f"{local.api_url}/requests/{request_id}/download",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert status == 200, link
    with urllib.request.urlopen(link["url"], timeout=10) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    names = archive.namelist()
    assert "index.html" in names
    assert "calls/calls.json" in names
    assert any(n.startswith("recordings/") for n in names)
    assert any(n.startswith("transcripts/") for n in names)
    assert demo.MARCUS.phone in archive.read("calls/calls.json").decode()


def test_a_landline_code_is_read_out_by_a_call_in_the_outbox(local: RunningStack) -> None:
    landline = "+442079460959"
    status, body = http(
        "POST", f"{local.api_url}/requests", {"type": "deletion", "jurisdiction": "gdpr", "phone": landline}
    )
    assert status == 202, body
    deadline = time.monotonic() + PATIENCE
    calls: list[dict[str, Any]] = []
    while len(calls) < 2 and time.monotonic() < deadline:
        _, messages = http("GET", f"{local.api_url}/_local/outbox")
        calls = [m for m in messages if landline in m["to"] and m["channel"] == "voice"]
        time.sleep(0.1)
    assert calls, "no call to the landline"
    assert any("Your verification code is" in c["body"] for c in calls)
    assert any("We received the request" in c["body"] for c in calls)  # the acknowledgement, read out
    assert not [
        m
        for m in http("GET", f"{local.api_url}/_local/outbox")[1]
        if landline in m["to"] and m["channel"] == "sms"
    ]


def test_a_verified_deletion_leaves_nothing_of_the_subject_and_they_get_the_receipt(
    local: RunningStack,
) -> None:
    phone = demo.DANA_PHONE
    # Under the GDPR the code of every identifier given is the proof (CCPA would ask 3 points).
    deletion = {"type": "deletion", "jurisdiction": "gdpr", "phone": phone}
    status, body = http("POST", f"{local.api_url}/requests", deletion)
    assert status == 202, body
    request_id = body["request_id"]
    verify_with_codes_from_the_outbox(local, body, [phone])
    final = wait_for_final_message(
        local, request_id, lambda m: "is complete" in m["body"] and phone in m["to"]
    )
    token = re.search(r"token=([\w.-]+)", final["body"]).group(1)  # type: ignore[union-attr]
    status, view = http(
        "GET", f"{local.api_url}/requests/{request_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200, view
    assert view["status"] == "completed"
    assert "What we erased" in view["erasure_receipt"]
    assert "What we keep, and why" in view["erasure_receipt"]

    # Through the AWS endpoint, as a newcomer would look (the lake's 1,300 versions listed there
    # and read from the server's store): no store holds her number any more, in any item or any
    # object version (the billing tombstones keep no identifier).
    session = local.session
    s3: Any = session.client("s3")
    for name in local.stack.platform_stores.values():
        if "lake" in name:  # Parquet: every listed version's rows read, none with her number
            import io

            import pyarrow.parquet as pq

            versions = _every_version(s3, name)
            assert versions
            for key, version_id in versions:
                body = stored_body(name, key, version_id)
                phones = pq.read_table(io.BytesIO(body), columns=["caller_phone"]).column("caller_phone")
                assert phone not in phones.to_pylist()
        elif "recordings" in name or "transcripts" in name:
            for key, version_id in _every_version(s3, name):
                obj = s3.get_object(Bucket=name, Key=key, VersionId=version_id)
                assert phone.encode() not in obj["Body"].read()
        else:
            ddb: Any = session.client("dynamodb")
            for page in ddb.get_paginator("scan").paginate(TableName=name):
                assert phone not in json.dumps(page["Items"])


def _every_version(s3: Any, bucket: str) -> list[tuple[str, str]]:
    """Every object version the endpoint lists (all pages: one stops at 1,000)."""
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
    return [(v["Key"], v["VersionId"]) for page in pages for v in page.get("Versions", [])]


def test_the_smoke_fails_at_the_download_when_the_export_is_missing(local: RunningStack) -> None:
    """The smoke test fails, and says where, when a step fails: here the stack loses the export
    between the access request's completion and its download (issue 21)."""
    lines: list[str] = []
    s3: Any = local.session.client("s3")
    exports = local.stack.ref("ExportsBucket")

    def lose_the_export(line: str) -> None:
        lines.append(line)
        if line.startswith("[3] access request: ok"):
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=exports):
                for version in page.get("Versions", []):
                    s3.delete_object(Bucket=exports, Key=version["Key"], VersionId=version["VersionId"])

    target = local_target(
        local.api_url, local.session, None, dict(local.stack.platform_stores), "export removed"
    )
    passed = Smoke(target, Canary.fresh(), out=lose_the_export).run()

    assert passed is False
    assert [line.split(":")[0] for line in lines[1:]] == [
        "[1] plant canary",
        "[2] opt-out",
        "[3] access request",
        "[4] download",
    ]
    assert "[4] download: FAILED" in lines[-1]
    assert "HTTP 404" in lines[-1] or "HTTP 403" in lines[-1]
