"""Who may be sent an SMS or a call, and how many: a decorator of the ``Messenger`` port.

Every text and call of the service goes through ``GuardedMessenger`` (the container wraps the
AWS messenger in it), whatever sends it: verification codes, acknowledgements, final notices.
In order, a message to a number is refused when

1. its line type takes nothing (premium rate, toll-free, shared cost, VoIP, pager, UAN, personal,
   unknown), or an SMS is asked for a landline, or a call when no voice line is configured:
   ``number_type`` (mobiles take SMS and calls, landlines calls: ``identifiers.phone_channel``
   is the channel to prefer);
2. its country is not allowed: ``country``;
3. the number has had its messages today (one count across SMS and voice, across every kind of
   message, keyed by a keyed hash of the number, never the number): ``number_daily_cap``;
4. the service's SMS and voice budget for the day is spent: ``daily_budget``.

A refusal raises ``PhoneMessageRefused(reason)`` before anything is sent, and calls the
``on_refused`` hook (the container raises a CloudWatch metric; the budget's has an alarm). The
caller decides what a refusal means: a notice is recorded as withheld, a code as not sent.
Email passes through untouched.

Each check counts only once the earlier ones passed: a number over its own cap does not spend
the day's budget.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from privacy_rights.core.errors import PhoneMessageRefused, PhoneRefusal
from privacy_rights.core.identifiers import PhoneChannel, phone_channel, phone_refusal
from privacy_rights.core.keyed_hash import IdentifierKind
from privacy_rights.core.ports import Counters, KeyRingSource, Messenger

DAY_SECONDS = 86_400
BUDGET_KEY = "phone-budget"
NUMBER_KEY_PREFIX = "phone:"
METRIC_PREFIX = "PhoneMessageRefused_"


def metric_name(reason: PhoneRefusal) -> str:
    """The CloudWatch metric a refusal raises (namespace ``CallX/PrivacyRights``)."""
    return METRIC_PREFIX + reason


#: the metric the template's alarm watches: the day's SMS and voice budget is spent
BUDGET_METRIC = metric_name("daily_budget")


@dataclass(frozen=True)
class PhonePolicy:
    allowed_countries: Collection[str]
    per_number_per_day: int
    per_day: int


class GuardedMessenger:
    def __init__(
        self,
        inner: Messenger,
        counters: Counters,
        keys: KeyRingSource,
        policy: PhonePolicy,
        on_refused: Callable[[PhoneRefusal], None] = lambda reason: None,
    ) -> None:
        self._inner = inner
        self._counters = counters
        self._keys = keys
        self._policy = policy
        self._on_refused = on_refused

    @property
    def can_call(self) -> bool:
        return self._inner.can_call

    def send_email(self, to: str, subject: str, text: str, reference: str | None = None) -> str:
        return self._inner.send_email(to, subject, text, reference)

    def send_sms(self, to: str, text: str) -> str:
        self._admit(to, "sms")
        return self._inner.send_sms(to, text)

    def send_voice(self, to: str, text: str) -> str:
        self._admit(to, "voice")
        return self._inner.send_voice(to, text)

    def _admit(self, to: str, wanted: PhoneChannel) -> None:
        reason = self._refusal(to, wanted)
        if reason is not None:
            self._on_refused(reason)
            raise PhoneMessageRefused(reason)

    def _refusal(self, to: str, wanted: PhoneChannel) -> PhoneRefusal | None:
        refused = phone_refusal(to, self._policy.allowed_countries)
        if refused is not None:
            return refused
        if wanted == "sms" and phone_channel(to, self._policy.allowed_countries) != "sms":
            return "number_type"  # a landline: no SMS
        if wanted == "voice" and not self.can_call:
            return "number_type"  # no voice line: nothing calls
        number_key = NUMBER_KEY_PREFIX + self._keys.key_ring().digest(IdentifierKind.PHONE, to)
        if not self._counters.hit(number_key, self._policy.per_number_per_day, DAY_SECONDS):
            return "number_daily_cap"
        if not self._counters.hit(BUDGET_KEY, self._policy.per_day, DAY_SECONDS):
            return "daily_budget"
        return None
