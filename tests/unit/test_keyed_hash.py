"""Keyed hashes of identifiers and the status tokens made with the same key ring."""

from __future__ import annotations

import hashlib
import hmac
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_rights.core.keyed_hash import MIN_KEY_BYTES, IdentifierKind, KeyRing, key_id_of
from privacy_rights.core.tokens import new_nonce, status_token, token_matches

EMAIL = "jane@example.com"
REQUEST_A = "req_AAAAAAAAAAAAAAAAAAAAAA"
REQUEST_B = "req_BBBBBBBBBBBBBBBBBBBBBB"
NONCE = "nonce-for-the-tests"

# --- digests --------------------------------------------------------------------------------------------


def test_a_digest_is_deterministic(ring: KeyRing) -> None:
    assert ring.digest(IdentifierKind.EMAIL, EMAIL) == ring.digest(IdentifierKind.EMAIL, EMAIL)


def test_a_digest_is_the_hmac_sha256_of_kind_and_value_prefixed_with_the_key_id(ring: KeyRing) -> None:
    expected = hmac.new(ring.keys["1"], f"email:{EMAIL}".encode(), hashlib.sha256).hexdigest()

    assert ring.digest(IdentifierKind.EMAIL, EMAIL) == f"k1:{expected}"


def test_a_digest_does_not_contain_the_value(ring: KeyRing) -> None:
    digest = ring.digest(IdentifierKind.EMAIL, EMAIL)

    assert re.fullmatch(r"k1:[0-9a-f]{64}", digest)


def test_the_same_string_hashes_differently_as_email_and_as_phone(ring: KeyRing) -> None:
    value = "+14155552671"

    assert ring.digest(IdentifierKind.EMAIL, value) != ring.digest(IdentifierKind.PHONE, value)


def test_different_keys_give_different_digests(ring: KeyRing, rotated_ring: KeyRing) -> None:
    under_1 = ring.digest(IdentifierKind.EMAIL, EMAIL)
    under_2 = rotated_ring.digest(IdentifierKind.EMAIL, EMAIL)

    assert under_2.startswith("k2:")
    assert under_1.partition(":")[2] != under_2.partition(":")[2]


def test_different_values_give_different_digests(ring: KeyRing) -> None:
    assert ring.digest(IdentifierKind.EMAIL, EMAIL) != ring.digest(IdentifierKind.EMAIL, "john@example.com")


def test_a_digest_can_be_made_under_an_older_key_by_id(rotated_ring: KeyRing, ring: KeyRing) -> None:
    assert rotated_ring.digest(IdentifierKind.EMAIL, EMAIL, key_id="1") == ring.digest(
        IdentifierKind.EMAIL, EMAIL
    )


@pytest.mark.parametrize(("stored", "key_id"), [("k1:abc", "1"), ("k12:abc", "12"), ("kA7:abc", "A7")])
def test_key_id_of_reads_the_prefix(stored: str, key_id: str) -> None:
    assert key_id_of(stored) == key_id


# --- rotation -------------------------------------------------------------------------------------------


def test_all_digests_lists_the_current_key_first_then_the_older_ones(rotated_ring: KeyRing) -> None:
    digests = rotated_ring.all_digests(IdentifierKind.EMAIL, EMAIL)

    assert [key_id_of(d) for d in digests] == ["2", "1"]
    assert digests[0] == rotated_ring.digest(IdentifierKind.EMAIL, EMAIL)


def test_a_digest_made_before_rotation_still_matches_after_it(ring: KeyRing, rotated_ring: KeyRing) -> None:
    stored_before_rotation = ring.digest(IdentifierKind.EMAIL, EMAIL)

    assert rotated_ring.matches(stored_before_rotation, IdentifierKind.EMAIL, EMAIL)
    assert stored_before_rotation in rotated_ring.all_digests(IdentifierKind.EMAIL, EMAIL)


def test_matches_refuses_another_value_or_another_kind(ring: KeyRing) -> None:
    stored = ring.digest(IdentifierKind.EMAIL, EMAIL)

    assert ring.matches(stored, IdentifierKind.EMAIL, EMAIL)
    assert not ring.matches(stored, IdentifierKind.EMAIL, "john@example.com")
    assert not ring.matches(stored, IdentifierKind.PHONE, EMAIL)


def test_a_digest_under_a_key_no_longer_in_the_ring_does_not_match(rotated_ring: KeyRing) -> None:
    retired = KeyRing(current="3", keys={"3": b"z" * 32})
    stored = retired.digest(IdentifierKind.EMAIL, EMAIL)

    assert not rotated_ring.matches(stored, IdentifierKind.EMAIL, EMAIL)


@pytest.mark.parametrize("stored", ["", "garbage", "k1:", "k1:" + "0" * 64, "k9:" + "0" * 64, ":"])
def test_malformed_or_forged_digests_do_not_match(ring: KeyRing, stored: str) -> None:
    assert not ring.matches(stored, IdentifierKind.EMAIL, EMAIL)


# --- building a ring ------------------------------------------------------------------------------------


def test_from_secret_reads_the_current_id_and_the_keys() -> None:
    key = "s" * MIN_KEY_BYTES
    ring = KeyRing.from_secret({"current": "1", "k1": key})

    assert ring.current == "1"
    assert ring.keys == {"1": key.encode()}


def test_from_secret_accepts_several_keys_and_a_numeric_current_id() -> None:
    ring = KeyRing.from_secret({"current": 2, "k1": "a" * 40, "k2": "b" * 40})

    assert ring.current == "2"
    assert set(ring.keys) == {"1", "2"}


def test_a_key_shorter_than_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match=f"shorter than {MIN_KEY_BYTES} bytes"):
        KeyRing.from_secret({"current": "1", "k1": "s" * (MIN_KEY_BYTES - 1)})


def test_a_short_older_key_is_refused_too() -> None:
    with pytest.raises(ValueError, match="key 1 is shorter"):
        KeyRing(current="2", keys={"1": b"short", "2": b"x" * MIN_KEY_BYTES})


def test_a_current_id_missing_from_the_ring_is_refused() -> None:
    with pytest.raises(ValueError, match="current key id is not in the ring"):
        KeyRing.from_secret({"current": "2", "k1": "s" * MIN_KEY_BYTES})


def test_a_key_id_that_is_not_alphanumeric_is_refused() -> None:
    with pytest.raises(ValueError, match="alphanumeric"):
        KeyRing(current="a:b", keys={"a:b": b"x" * MIN_KEY_BYTES})


# --- status tokens --------------------------------------------------------------------------------------


def test_a_status_token_matches_its_request_and_nonce(ring: KeyRing) -> None:
    token = status_token(ring, REQUEST_A, NONCE)

    assert token_matches(ring, REQUEST_A, NONCE, token)


def test_a_status_token_names_the_current_key_and_is_url_safe(rotated_ring: KeyRing) -> None:
    token = status_token(rotated_ring, REQUEST_A, NONCE)

    assert re.fullmatch(r"2\.[A-Za-z0-9_-]{43}", token)


def test_a_token_for_one_request_never_opens_another(ring: KeyRing) -> None:
    token = status_token(ring, REQUEST_A, NONCE)

    assert not token_matches(ring, REQUEST_B, NONCE, token)


def test_changing_the_nonce_revokes_the_token(ring: KeyRing) -> None:
    token = status_token(ring, REQUEST_A, NONCE)

    assert not token_matches(ring, REQUEST_A, new_nonce(), token)


def test_new_nonces_are_random_and_long_enough() -> None:
    nonces = {new_nonce() for _ in range(50)}

    assert len(nonces) == 50
    assert all(len(nonce) >= 16 for nonce in nonces)


def test_a_token_made_before_rotation_still_matches_after_it(ring: KeyRing, rotated_ring: KeyRing) -> None:
    old_token = status_token(ring, REQUEST_A, NONCE)

    assert old_token.startswith("1.")
    assert token_matches(rotated_ring, REQUEST_A, NONCE, old_token)


def test_a_token_under_a_retired_key_no_longer_matches(rotated_ring: KeyRing) -> None:
    retired_ring = KeyRing(current="2", keys={"2": rotated_ring.keys["2"]})
    old_token = status_token(KeyRing(current="1", keys={"1": rotated_ring.keys["1"]}), REQUEST_A, NONCE)

    assert not token_matches(retired_ring, REQUEST_A, NONCE, old_token)


@pytest.mark.parametrize(
    "presented", ["", ".", "1.", "1", "9.abc", "garbage", "1.not-the-mac", "Bearer 1.abc"]
)
def test_garbage_tokens_do_not_match(ring: KeyRing, presented: str) -> None:
    assert not token_matches(ring, REQUEST_A, NONCE, presented)


def test_a_token_with_one_character_changed_does_not_match(ring: KeyRing) -> None:
    token = status_token(ring, REQUEST_A, NONCE)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert not token_matches(ring, REQUEST_A, NONCE, tampered)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80))
def test_no_printable_ascii_string_but_the_token_matches(presented: str) -> None:
    ring = KeyRing(current="1", keys={"1": b"k" * 32})
    assert token_matches(ring, REQUEST_A, NONCE, presented) == (
        presented == status_token(ring, REQUEST_A, NONCE)
    )


@pytest.mark.parametrize("presented", ["1.é", "1.токен", "1.\u200b"])
def test_a_non_ascii_token_does_not_match_instead_of_raising(ring: KeyRing, presented: str) -> None:
    assert token_matches(ring, REQUEST_A, NONCE, presented) is False


def test_a_non_ascii_stored_digest_does_not_match_instead_of_raising(ring: KeyRing) -> None:
    assert ring.matches("k1:é", IdentifierKind.EMAIL, EMAIL) is False
