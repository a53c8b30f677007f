"""Who gets an SMS or a call, and how many: the phone policy and the guarded messenger, on
in-memory fakes (a messenger that records, counters with the real ``hit`` semantics)."""

from __future__ import annotations

from collections import Counter

import pytest

from privacy_rights.core.errors import PhoneMessageRefused, PhoneRefusal
from privacy_rights.core.identifiers import can_receive_sms, phone_channel, phone_refusal
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.messaging.phone_messaging import (
    BUDGET_KEY,
    BUDGET_METRIC,
    DAY_SECONDS,
    GuardedMessenger,
    PhonePolicy,
    metric_name,
)
from privacy_rights.runtime.settings import DEFAULT_PHONE_COUNTRIES

ALLOWED = frozenset(DEFAULT_PHONE_COUNTRIES.split(","))
PREMIUM_RATE = "+19005550123"
TOLL_FREE = "+18005550100"
UK_VOIP = "+445612345678"
UK_PAGER = "+447640123456"
UK_UAN = "+443001234567"
US_PERSONAL = "+15005550100"
NOT_A_NUMBER = "+10000000000"
NIGERIAN_MOBILE = "+2348031234567"
US_NUMBER = "+14155550168"  # FIXED_LINE_OR_MOBILE: the US plan does not tell them apart
UK_MOBILE = "+447400123456"
GUERNSEY_MOBILE = "+447911123456"  # +44, but region GG
UK_LANDLINE = "+442079460958"
DE_LANDLINE = "+4930901820"
FR_LANDLINE = "+33123456789"


class FakeMessenger:
    def __init__(self, can_call: bool = True) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self._can_call = can_call

    @property
    def can_call(self) -> bool:
        return self._can_call

    def send_email(self, to: str, subject: str, text: str, reference: str | None = None) -> str:
        self.sent.append(("email", to, text))
        return f"m{len(self.sent)}"

    def send_sms(self, to: str, text: str) -> str:
        self.sent.append(("sms", to, text))
        return f"m{len(self.sent)}"

    def send_voice(self, to: str, text: str) -> str:
        self.sent.append(("voice", to, text))
        return f"m{len(self.sent)}"


class FakeCounters:
    """``Counters.hit``: False, and nothing counted, once ``limit`` is reached in the window."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.windows: set[int] = set()

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        self.windows.add(window_seconds)
        if self.hits[key] >= limit:
            return False
        self.hits[key] += 1
        return True


class FakeKeys:
    def __init__(self) -> None:
        self.ring = KeyRing(current="1", keys={"1": b"k" * 32})

    def key_ring(self) -> KeyRing:
        return self.ring


class Guard:
    def __init__(self, per_number: int = 10, per_day: int = 500, can_call: bool = True) -> None:
        self.inner = FakeMessenger(can_call)
        self.counters = FakeCounters()
        self.refusals: list[PhoneRefusal] = []
        self.messenger = GuardedMessenger(
            self.inner,
            self.counters,
            FakeKeys(),
            PhonePolicy(allowed_countries=ALLOWED, per_number_per_day=per_number, per_day=per_day),
            on_refused=self.refusals.append,
        )

    def refused(self, send: str, to: str) -> PhoneRefusal:
        with pytest.raises(PhoneMessageRefused) as raised:
            getattr(self.messenger, send)(to, "Your CallX privacy verification code is 123456.")
        return raised.value.reason


# --- the policy -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", [PREMIUM_RATE, TOLL_FREE, UK_VOIP, UK_PAGER, UK_UAN, US_PERSONAL, NOT_A_NUMBER, "garbage"]
)
def test_numbers_that_are_not_mobiles_or_landlines_get_nothing(number: str) -> None:
    assert phone_refusal(number, ALLOWED) == "number_type"
    assert phone_channel(number, ALLOWED) is None


def test_a_number_of_a_country_not_allowed_gets_nothing() -> None:
    assert phone_refusal(NIGERIAN_MOBILE, ALLOWED) == "country"
    assert phone_channel(NIGERIAN_MOBILE, ALLOWED) is None
    assert phone_channel(UK_MOBILE, frozenset({"US"})) is None


def test_a_premium_rate_number_is_refused_for_its_type_even_where_its_country_is_allowed() -> None:
    assert phone_refusal(PREMIUM_RATE, frozenset({"US"})) == "number_type"


@pytest.mark.parametrize("number", [US_NUMBER, UK_MOBILE, GUERNSEY_MOBILE])
def test_mobiles_get_sms(number: str) -> None:
    assert phone_channel(number, ALLOWED) == "sms"
    assert can_receive_sms(number)


@pytest.mark.parametrize("number", [UK_LANDLINE, DE_LANDLINE, FR_LANDLINE])
def test_landlines_get_a_call(number: str) -> None:
    assert phone_channel(number, ALLOWED) == "voice"
    assert not can_receive_sms(number)


def test_the_default_countries_take_every_number_the_tests_and_demo_use() -> None:
    for number in (US_NUMBER, UK_MOBILE, GUERNSEY_MOBILE, UK_LANDLINE, DE_LANDLINE, FR_LANDLINE):
        assert phone_refusal(number, ALLOWED) is None, number


# --- the guard: refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("number", [PREMIUM_RATE, TOLL_FREE, UK_VOIP, NOT_A_NUMBER])
@pytest.mark.parametrize("send", ["send_sms", "send_voice"])
def test_a_refused_line_type_gets_no_sms_and_no_call_and_counts_nothing(number: str, send: str) -> None:
    guard = Guard()

    assert guard.refused(send, number) == "number_type"

    assert guard.inner.sent == []
    assert guard.counters.hits == Counter()
    assert guard.refusals == ["number_type"]


def test_seven_opt_outs_for_a_premium_rate_number_make_no_call() -> None:
    guard = Guard()

    for _ in range(7):
        for send in ("send_sms", "send_voice"):
            guard.refused(send, PREMIUM_RATE)

    assert guard.inner.sent == []
    assert guard.refusals == ["number_type"] * 14


def test_a_country_not_allowed_is_refused() -> None:
    guard = Guard()

    assert guard.refused("send_sms", NIGERIAN_MOBILE) == "country"
    assert guard.inner.sent == []
    assert guard.refusals == ["country"]


def test_a_mobile_gets_its_sms() -> None:
    guard = Guard()

    guard.messenger.send_sms(UK_MOBILE, "code 123456")

    assert guard.inner.sent == [("sms", UK_MOBILE, "code 123456")]


def test_a_landline_gets_a_call_and_no_sms() -> None:
    guard = Guard()

    guard.messenger.send_voice(UK_LANDLINE, "Your code is: 1, 2, 3")

    assert guard.refused("send_sms", UK_LANDLINE) == "number_type"
    assert guard.inner.sent == [("voice", UK_LANDLINE, "Your code is: 1, 2, 3")]


def test_without_a_voice_line_nothing_calls() -> None:
    guard = Guard(can_call=False)

    assert guard.messenger.can_call is False
    assert guard.refused("send_voice", UK_LANDLINE) == "number_type"
    assert guard.inner.sent == []


def test_email_passes_through_untouched_and_uncounted() -> None:
    guard = Guard(per_number=1, per_day=1)

    for _ in range(3):
        guard.messenger.send_email("jane@example.com", "Subject", "text", "req_1")

    assert len(guard.inner.sent) == 3
    assert guard.counters.hits == Counter()


# --- the guard: the cap per number and the day's budget -------------------------------------------------


def test_one_cap_per_number_across_sms_and_voice_and_every_kind_of_message() -> None:
    guard = Guard(per_number=4)
    messenger = guard.messenger

    messenger.send_sms(US_NUMBER, "Your CallX privacy verification code is 123456.")
    messenger.send_sms(US_NUMBER, "CallX privacy: request req_1 received, answer due by 2026-04-02.")
    messenger.send_voice(US_NUMBER, "Hello. This is CallX privacy. Your verification code is: 1, 2, 3.")
    messenger.send_sms(US_NUMBER, "CallX privacy: your request req_1 is complete.")

    assert guard.refused("send_sms", US_NUMBER) == "number_daily_cap"
    assert guard.refused("send_voice", US_NUMBER) == "number_daily_cap"
    assert [channel for channel, _, _ in guard.inner.sent] == ["sms", "sms", "voice", "sms"]
    assert guard.refusals == ["number_daily_cap", "number_daily_cap"]
    # another number still gets its messages
    messenger.send_sms(UK_MOBILE, "code 654321")
    assert len(guard.inner.sent) == 5


def test_the_cap_is_kept_under_a_keyed_hash_of_the_number_for_a_day() -> None:
    guard = Guard()

    guard.messenger.send_sms(US_NUMBER, "code 123456")

    keys = set(guard.counters.hits)
    assert keys == {"phone:" + FakeKeys().ring.digest(IdentifierKind.PHONE, US_NUMBER), BUDGET_KEY}
    assert not any(US_NUMBER in key or US_NUMBER[1:] in key for key in keys)
    assert guard.counters.windows == {DAY_SECONDS}


def test_a_number_over_its_cap_does_not_spend_the_days_budget() -> None:
    guard = Guard(per_number=1, per_day=3)

    guard.messenger.send_sms(US_NUMBER, "one")
    for _ in range(5):
        guard.refused("send_sms", US_NUMBER)

    assert guard.counters.hits[BUDGET_KEY] == 1
    guard.messenger.send_sms(UK_MOBILE, "two")
    guard.messenger.send_voice(UK_LANDLINE, "three")
    assert len(guard.inner.sent) == 3


def test_the_days_budget_stops_every_sms_and_call_and_raises_the_metric() -> None:
    guard = Guard(per_day=2)

    guard.messenger.send_sms(US_NUMBER, "one")
    guard.messenger.send_voice(UK_LANDLINE, "two")

    assert guard.refused("send_sms", UK_MOBILE) == "daily_budget"
    assert guard.refused("send_voice", DE_LANDLINE) == "daily_budget"
    assert len(guard.inner.sent) == 2
    assert guard.refusals == ["daily_budget", "daily_budget"]
    assert [metric_name(reason) for reason in guard.refusals] == [BUDGET_METRIC, BUDGET_METRIC]
    assert BUDGET_METRIC == "PhoneMessageRefused_daily_budget"
    # email is not phone: it still goes
    guard.messenger.send_email("jane@example.com", "Subject", "text")
    assert len(guard.inner.sent) == 3


def test_the_refusal_is_a_domain_error_with_a_fixed_public_message() -> None:
    error = PhoneMessageRefused("daily_budget")

    assert error.reason == "daily_budget"
    assert "+" not in error.public_message
    assert error.public_message == PhoneMessageRefused("number_type").public_message
