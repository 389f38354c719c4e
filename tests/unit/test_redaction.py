"""Redaction: each kind of personal data is replaced, and look-alikes are left alone."""

from __future__ import annotations

import pytest

from voc.analysis.redaction import Redacted, iban_valid, luhn_valid, redact


def with_luhn_digit(body: str) -> str:
    """`body` plus the check digit that makes it pass Luhn."""
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def test_email_address_is_replaced() -> None:
    result = redact("write to jane.doe+orders@example.co.uk today")
    assert result.text == "write to [email] today"
    assert result.found == ("email",)


def test_at_handle_is_not_an_email() -> None:
    assert redact("@acme_help thanks!").text == "@acme_help thanks!"


@pytest.mark.parametrize(
    "phone",
    [
        "+44 7700 900123",
        "+49 151 23456789",
        "+33 6 12 34 56 78",
        "+1 (555) 010-4477",
        "+44 (0) 7700 900123",
        "+447700900123",
        "0044 7700 900123",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "07700 900123",
        "0151 23456789",
        "(555) 010-4477",
        "555-010-4477",
        "555.010.4477",
        "612 34 56 78",
        "912 345 678",
        "333 123 4567",
        "(11) 91234-5678",
    ],
)
def test_phone_number_is_replaced(phone: str) -> None:
    result = redact(f"call me on {phone} after six")
    assert result.text == "call me on [phone] after six"
    assert result.found == ("phone",)


@pytest.mark.parametrize(
    "card",
    ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "6011 0000 0000 0004"],
)
def test_card_number_passing_luhn_is_replaced(card: str) -> None:
    result = redact(f"charged twice on {card}, please refund")
    assert result.text == "charged twice on [card], please refund"
    assert result.found == ("card",)


@pytest.mark.parametrize("length", [13, 19])
def test_card_numbers_of_13_and_19_digits_are_replaced(length: int) -> None:
    card = with_luhn_digit("4" + "1" * (length - 2))
    assert redact(f"card {card}").text == "card [card]"


def test_card_number_failing_luhn_is_kept() -> None:
    assert not luhn_valid("4111111111111112")
    assert redact("ref 4111 1111 1111 1112").text == "ref 4111 1111 1111 1112"


def test_card_followed_by_expiry_is_still_replaced() -> None:
    assert redact("4111 1111 1111 1111 12/27").text == "[card] 12/27"


def test_card_is_redacted_as_card_not_phone() -> None:
    assert redact("0 4111 1111 1111 1111").found == ("card",)


@pytest.mark.parametrize(
    "iban",
    ["DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB82 WEST 1234 5698 7654 32", "NL91ABNA0417164300"],
)
def test_iban_passing_mod_97_is_replaced_with_or_without_spaces(iban: str) -> None:
    result = redact(f"IBAN {iban} thanks")
    assert result.text == "IBAN [iban] thanks"
    assert result.found == ("iban",)


def test_iban_failing_mod_97_is_kept() -> None:
    assert not iban_valid("DE89370400440532013002")
    assert redact("DE89 3704 0044 0532 0130 02").text == "DE89 3704 0044 0532 0130 02"


def test_several_kinds_are_all_reported_in_a_fixed_order() -> None:
    result = redact("+44 7700 900123, 4111 1111 1111 1111, jo@example.com")
    assert result.text == "[phone], [card], [email]"
    assert result.found == ("email", "card", "phone")


@pytest.mark.parametrize(
    "text",
    [
        "order #12345678 has not arrived",
        "order #1234567890123456 has not arrived",
        "delivered 2026-11-23 at 10:30",
        "see you on 23/11/2026",
        "05.11.2026 14:30 still nothing",
        "best purchase of 2026",
        "it cost $1,299.99 and then 1.299,99 € and 49,90€",
        "total: 1 299,99 €",
        "https://x.com/acme/status/1234567890123456789",
        "see x.com/acme/status/1234567890123456789 for details",
        "https://shop.example/orders/4111111111111111",
        "pi is 3.14159265358979",
        "the router is at 192.168.1.1",
        "ticket 1234567890 is still open",
        "0123 4567 8901 2345",
        "waited 45 minutes, 3 times, in 2026",
    ],
)
def test_numbers_that_are_not_personal_data_are_kept(text: str) -> None:
    assert redact(text) == Redacted(text=text, found=())


def test_text_without_personal_data_is_returned_unchanged() -> None:
    text = "Love the new app 😍 #happy @acme"
    assert redact(text).text == text
    assert redact(text).found == ()


def test_email_inside_a_url_is_replaced_but_ids_in_it_are_kept() -> None:
    text = "https://example.com/?u=jo@example.com&id=4111111111111111"
    assert redact(text).text == "https://example.com/?u=[email]&id=4111111111111111"
