"""Identifiers: every spelling of one client's phone, handle, e-mail or plate becomes one hash."""

from __future__ import annotations

import pytest

from bot.privacy import Privacy
from bot.services.identifiers import Identifier, Kind, normalise_phone, parse, split_input

UA_NUMBER = "+380671234567"
RU_NUMBER = "+79123456789"


@pytest.mark.parametrize("region", ["UA", "RU", None])
@pytest.mark.parametrize("typed", ["+380 67 123 45 67", "067-123-45-67", "80671234567", "380671234567", "0671234567"])
def test_ukrainian_forms_match_whatever_the_members_region(typed: str, region: str | None) -> None:
    assert normalise_phone(typed, region) == UA_NUMBER


@pytest.mark.parametrize("region", ["UA", "RU", None])
@pytest.mark.parametrize("typed", ["8 (912) 345-67-89", "+79123456789", "+7 912 345 67 89", "89123456789"])
def test_russian_forms_match_whatever_the_members_region(typed: str, region: str | None) -> None:
    assert normalise_phone(typed, region) == RU_NUMBER


@pytest.mark.parametrize("typed", ["12345", "+380 12", "000000000000", "call me", ""])
def test_what_is_not_a_valid_number_is_refused(typed: str) -> None:
    assert normalise_phone(typed, "UA") is None


def test_handles_emails_and_plates_are_normalised() -> None:
    assert parse("@Bad_Client") == [Identifier(Kind.handle, "bad_client")]
    assert parse("https://t.me/Bad_Client/") == [Identifier(Kind.handle, "bad_client")]
    assert parse("  John.Doe@Mail.COM ") == [Identifier(Kind.email, "john.doe@mail.com")]
    # Cyrillic look-alikes, spaces and dashes: one plate.
    assert Identifier(Kind.plate, "AA1234BB") in parse("АА 1234-ВВ")
    assert Identifier(Kind.plate, "AA1234BB") in parse("aa1234bb")
    assert parse("067 123 45 67", "UA") == [Identifier(Kind.phone, UA_NUMBER)]
    assert parse("not an identifier at all") == []
    assert parse("x" * 500) == []


def test_a_bare_word_may_be_a_plate_or_a_handle() -> None:
    kinds = {found.kind for found in parse("AB1234CD")}
    assert kinds == {Kind.plate, Kind.handle}


def test_hashes_are_keyed_and_kind_bound() -> None:
    one, other = Privacy("k" * 40), Privacy("z" * 40)
    phone = Identifier(Kind.phone, UA_NUMBER)
    assert phone.hashed(one) == parse("80671234567", "UA")[0].hashed(one)
    assert phone.hashed(one) != phone.hashed(other)
    assert "380671234567" not in phone.hashed(one)
    assert Identifier(Kind.handle, "ab12").hashed(one) != Identifier(Kind.plate, "ab12").hashed(one)


def test_several_identifiers_in_one_message() -> None:
    assert split_input("+380671234567, @bad\nAA1234BB; x@y.com") == ["+380671234567", "@bad", "AA1234BB", "x@y.com"]
