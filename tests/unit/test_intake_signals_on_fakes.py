"""What intake does with what comes with a web submission, on in-memory fakes: a Global Privacy
Control signal (``Sec-GPC: 1``) opts the subject and the browser's attribution ids out of
sale/sharing at once, and submissions are rate limited per source. That the header, the cookies
and the source IP are read from API Gateway's event is tests/integration/test_verification.py's."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from fakes import FakeCounters, FakeKeys, FakePreferenceMarks, FakeRequests, FakeStarter

from privacy_rights.core.errors import DomainError, RateLimited
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.core.models import Channel, Jurisdiction, OptOutPurpose, RequestType
from privacy_rights.preferences.preference_service import IdentifierRef, MayProcessQuery, PreferenceService
from privacy_rights.preferences.preferences import Purpose
from privacy_rights.rights_requests.intake import IntakeService
from privacy_rights.rights_requests.submission import SubmitRequest
from privacy_rights.runtime.api import browser_ids
from privacy_rights.runtime.http_errors import STATUS_BY_ERROR
from privacy_rights.runtime.settings import Settings


class Intake:
    """The intake service over fakes, with the preferences it records and may-process reads."""

    def __init__(self, ring: KeyRing, per_source: int = 20) -> None:
        keys = FakeKeys(ring)
        self.store = FakeRequests()
        self.starter = FakeStarter()
        self.preferences = PreferenceService(FakePreferenceMarks(), keys)
        self.service = IntakeService(
            self.store,  # type: ignore[arg-type]
            keys,
            self.starter,
            self.preferences,
            counters=FakeCounters(),
            submissions_per_source_per_hour=per_source,
        )

    def may_sell_or_share(self, kind: str, value: str) -> bool:
        identifier = IdentifierRef(kind=IdentifierKind(kind), value=value)
        return self.preferences.may_process(
            MayProcessQuery(identifier=identifier, purpose=Purpose.SALE_SHARE)
        ).allowed

    def status_of(self, body: SubmitRequest, source: str) -> int:
        """The API's answer to a submission from ``source``: 202, or the error's status."""
        try:
            self.service.submit(body, Channel.WEB, actor="web-form", source=source)
        except DomainError as error:
            return int(STATUS_BY_ERROR[type(error)])
        return 202


def access(email: str) -> SubmitRequest:
    return SubmitRequest(type=RequestType.ACCESS, jurisdiction=Jurisdiction.CCPA, email=email)


# -- Global Privacy Control -------------------------------------------------------------------


def test_global_privacy_control_opts_out_the_subject_and_the_browser(ring: KeyRing) -> None:
    intake = Intake(ring)

    acknowledged = intake.service.submit(
        access("gpc@example.org"), Channel.WEB, actor="web-form", gpc=True, browser_ids=("cx_vid=v-123",)
    )

    assert intake.may_sell_or_share("email", "gpc@example.org") is False
    assert intake.may_sell_or_share("browser", "cx_vid=v-123") is False
    assert intake.may_sell_or_share("browser", "cx_vid=v-999") is True
    # Unverified, at once: the access request itself goes on to its verification as any other.
    request = intake.store.get(acknowledged.request_id)
    assert request.type is RequestType.ACCESS
    assert request.opt_out_of == ()
    assert intake.starter.started == [acknowledged.request_id]


def test_without_the_signal_a_submission_opts_nobody_out(ring: KeyRing) -> None:
    intake = Intake(ring)

    intake.service.submit(
        access("plain@example.org"), Channel.WEB, actor="web-form", browser_ids=("cx_vid=v-1",)
    )

    assert intake.may_sell_or_share("email", "plain@example.org") is True
    assert intake.may_sell_or_share("browser", "cx_vid=v-1") is True


def test_the_browser_ids_are_the_attribution_cookies_and_nothing_else() -> None:
    event = APIGatewayProxyEvent({"headers": {"Cookie": "cx_vid=v-123; theme=dark; cx_aid=; cx_aid2=x"}})

    assert browser_ids(event, Settings.model_fields["attribution_cookies"].default) == ("cx_vid=v-123",)
    assert browser_ids(APIGatewayProxyEvent({"headers": {"cookie": "cx_aid=a-7"}}), "cx_vid,cx_aid") == (
        "cx_aid=a-7",
    )
    assert browser_ids(APIGatewayProxyEvent({"headers": {"Cookie": "cx_vid=" + "v" * 201}}), "cx_vid") == ()


# -- how often one source may submit ----------------------------------------------------------


def test_submissions_from_one_source_are_rate_limited(ring: KeyRing) -> None:
    intake = Intake(ring, per_source=Settings.model_fields["submissions_per_ip_per_hour"].default)

    def opt_out(n: int) -> SubmitRequest:
        return SubmitRequest(
            type=RequestType.OPT_OUT,
            jurisdiction=Jurisdiction.CCPA,
            email=f"r{n}@example.org",
            opt_out_of=[OptOutPurpose.MARKETING],
        )

    statuses = [intake.status_of(opt_out(n), "198.51.100.9") for n in range(22)]
    other_source = intake.status_of(opt_out(22), "198.51.100.10")

    assert statuses[:20] == [202] * 20
    assert statuses[20:] == [429, 429]
    assert other_source == 202
    assert len(intake.starter.started) == len(intake.store.requests) == 21  # a refused one is not kept


def test_a_submission_without_a_source_is_not_counted(ring: KeyRing) -> None:
    """Email intake passes none: its limits are the mail triage's."""
    intake = Intake(ring, per_source=1)

    intake.service.submit(access("a@example.org"), Channel.EMAIL, actor="email")
    intake.service.submit(access("b@example.org"), Channel.EMAIL, actor="email")

    web = intake.service.submit(access("w@example.org"), Channel.WEB, actor="web-form", source="198.51.100.9")
    with pytest.raises(RateLimited):
        intake.service.submit(access("x@example.org"), Channel.WEB, actor="web-form", source="198.51.100.9")

    assert len(intake.starter.started) == 3
    assert intake.starter.started[-1] == web.request_id
