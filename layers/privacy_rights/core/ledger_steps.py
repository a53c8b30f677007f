"""The workflow ledger's vocabulary: every step name recorded in a request's ``ledger``
attribute (step name -> recorded result), in one place.

The names are stored data, so they keep today's exact strings. Their grammar, with the two
separators stored ledgers already use:
- ``<capability>.<step>`` for a step that runs once per request (``erasure.plan``);
- ``<family>:<name>`` for one of many of a kind (``erase:<store>``, ``customer:<tenant>``,
  ``notice:<name>``; an intent is ``notice:<name>:intent``).
- a wait's answer is recorded under the wait's kind (``verification``, ``review``...).
Build names with these constants and functions, never with string literals.
"""

from __future__ import annotations

from typing import Final

#: ``family:name``
FAMILY_SEPARATOR: Final = ":"
#: ``capability.step``
STEP_SEPARATOR: Final = "."

# -- the workflow's own steps (``Workflow.once``) --------------------------------------------
SEND_CODES: Final = "send_codes"
#: one identifier's code sent by SendCodes (``code_sent:<kind>``): a retried or replayed
#: SendCodes never replaces a code the person already has
CODE_SENT: Final = "code_sent"
DUPLICATE_CHECK: Final = "duplicate_check"
RESOLVE: Final = "resolve"
RESOLVE_COMPLETE: Final = "resolve.complete"
APPLY_PREFERENCES: Final = "apply_preferences"
#: one opt-out carried out where it has effect (``opt_out_effect:<purpose>``)
OPT_OUT_EFFECT: Final = "opt_out_effect"

# -- export --------------------------------------------------------------------------------
EXPORT_PACKAGE: Final = "export.package"
#: the recordings an export holds for ops (what they must listen to)
EXPORT_REVIEW_NEEDED: Final = "export.review_needed"

# -- deletion ------------------------------------------------------------------------------
ERASURE: Final = "erasure"
ERASURE_PLAN: Final = "erasure.plan"
ERASURE_RECEIPT: Final = "erasure.receipt"
ERASE: Final = "erase"

# -- correction ----------------------------------------------------------------------------
CORRECTION_PLAN: Final = "correction.plan"
CORRECTION_APPLY: Final = "correction.apply"

# -- businesses ----------------------------------------------------------------------------
CUSTOMER_ANSWER: Final = "customer"
CUSTOMER_TOLD: Final = "customer_told"

# -- notices -------------------------------------------------------------------------------
NOTICE: Final = "notice"
INTENT: Final = "intent"


def _member(family: str, name: str) -> str:
    return f"{family}{FAMILY_SEPARATOR}{name}"


def code_sent(kind: str) -> str:
    """SendCodes sent the code of one identifier (``email``, ``phone``): ``code_sent:<kind>``."""
    return _member(CODE_SENT, kind)


def erase(store: str) -> str:
    """One store's erasure: ``erase:<store>``."""
    return _member(ERASE, store)


def customer_answer(tenant_id: str) -> str:
    """A business's answer about a request: ``customer:<tenant>``."""
    return _member(CUSTOMER_ANSWER, tenant_id)


def customer_told(tenant_id: str) -> str:
    """A business told about a request (and its webhook's outcome): ``customer_told:<tenant>``."""
    return _member(CUSTOMER_TOLD, tenant_id)


def is_customer_told(step: str) -> bool:
    return step.startswith(CUSTOMER_TOLD + FAMILY_SEPARATOR)


def notice(name: str) -> str:
    """A notice delivered: ``notice:<name>``."""
    return _member(NOTICE, name)


def notice_intent(name: str) -> str:
    """A notice about to be sent: ``notice:<name>:intent``."""
    return _member(notice(name), INTENT)


#: the answer after a granted appeal: a notice of its own, the first answer's ``final`` being spent
FINAL_AFTER_APPEAL: Final = f"final{FAMILY_SEPARATOR}after_appeal"


def follow_up_notice(run: int) -> str:
    """The name of the notice with the receipt updated by follow-up ``run``."""
    return f"final{FAMILY_SEPARATOR}follow_up{FAMILY_SEPARATOR}{run}"


def is_erasure_step(step: str) -> bool:
    """The steps a deletion's follow-up clears (``erase:<store>`` and ``erasure.*``)."""
    return step.startswith((ERASE + FAMILY_SEPARATOR, ERASURE + STEP_SEPARATOR))


def opt_out_effect(purpose: str) -> str:
    """An opt-out (or withdrawal) of ``purpose`` carried out: ``opt_out_effect:<purpose>``."""
    return _member(OPT_OUT_EFFECT, purpose)
