"""Redaction of personal data as customers actually type it: odd digits and spaces, any grouping,
spelled-out addresses, national ids with their checks; and the numbers care needs left alone."""

from __future__ import annotations

import pytest

from voc.analysis.pii import checks
from voc.analysis.pii.text import normalise
from voc.analysis.redaction import redact

VISA = "4111111111111111"
AMEX = "378282246310005"
IBAN_DE = "DE89370400440532013000"


def test_normalised_text_maps_back_to_the_original_characters() -> None:
    text = "a\u200bb ４２ \u00a0٣"
    plain = normalise(text)
    assert plain.text == "ab 42  3"
    assert plain.original_span(3, 5) == (4, 6)  # "４２"
    assert text[slice(*plain.original_span(0, 2))] == "a\u200bb"  # the invisible space inside goes too


def test_only_the_span_of_the_card_is_masked_and_the_rest_keeps_its_own_characters() -> None:
    text = "ＣＢ：４１１１ １１１１ １１１１ １１１１！"
    assert redact(text).text == "ＣＢ：[card]！"
    assert redact("بطاقتي ٤١١١ ١١١١ ١١١١ ١١١١ شكرا").text == "بطاقتي [card] شكرا"
    # Direction marks around and inside the number, as Arabic keyboards insert them.
    assert redact("رقمي \u200e+966\u200e 50 123 4567\u200f شكرا").text == "رقمي \u200e[phone]\u200f شكرا"


@pytest.mark.parametrize(
    "card",
    [
        "4111.1111.1111.1111", "4111/1111/1111/1111", "4111  1111  1111  1111", "4111\u00a01111\u00a01111\u00a01111",
        "4111 - 1111 - 1111 - 1111", "4111\u20131111\u20131111\u20131111", "4111\u200b1111\u200b1111\u200b1111",
        "3782 822463 10005", "37 82 82 24 63 10 00 5", "41111111 11111111",
    ],
)  # fmt: skip
def test_card_with_any_separator_is_replaced(card: str) -> None:
    result = redact(f"charged twice on {card} please refund")
    assert result.text == "charged twice on [card] please refund"
    assert result.rules == ("card.luhn",)


@pytest.mark.parametrize("join", [", ", " and ", "\n", " / ", " et ", " und "])
def test_card_split_in_two_halves_is_replaced_as_one(join: str) -> None:
    result = redact(f"my card is 4111 1111{join}1111 1111, thanks")
    assert result.text == "my card is [card], thanks"
    assert result.rules in (("card.luhn.split",), ("card.luhn",))  # " / " is also a separator inside one number


def test_luhn_valid_number_outside_every_card_range_or_length_is_not_a_card() -> None:
    assert checks.luhn_valid("0000000000000000") and redact("ref 0000 0000 0000 0000").found == ()
    fifteen_visa = "411111111111116"  # Visa has no 15-digit numbers
    assert checks.luhn_valid(fifteen_visa)
    assert redact(f"number {fifteen_visa}").text == f"number {fifteen_visa}"


@pytest.mark.parametrize(
    "text",
    [
        "my IMEI is 490154203237518", "IMEI 35 209900 176148 1", "IMEI: 35-209900-176148-1",
        "le IMEI ٣٥٢٠٩٩٠٠١٧٦١٤٨١ est bloqué", "SIM 8944 1234 5678 9012 342", "ICCID 89490200001234567899",
        "USPS 9400 1000 0000 0000 0000 00", "UPS 1Z999AA10123456784", "Royal Mail RR123456785GB",
        "order 302-1234567-1234567", "RF18 5390 0754 7034", "Verwendungszweck RF18539007547034",
        "Bestellung 0123456789 fehlt", "tracking 0034043416123456789 stuck",
    ],
)  # fmt: skip
def test_numbers_care_needs_are_kept(text: str) -> None:
    assert redact(text).text == text


def test_an_imei_in_a_card_range_is_redacted_as_ambiguous_and_the_rule_says_so() -> None:
    result = redact(f"my device IMEI {AMEX} is blocked")
    assert result.text == "my device IMEI [card] is blocked"
    assert result.rules == ("card.luhn?",)
    assert "?" not in result.text and "luhn" not in result.text  # the rule stays out of the stored text


def test_findings_name_kind_rule_and_span_but_never_the_value() -> None:
    result = redact(f"card {VISA} mail jo@example.com")
    assert [(f.kind, f.rule) for f in result.findings] == [("card", "card.luhn"), ("email", "email.address")]
    assert all(VISA not in repr(f) and "jo@" not in repr(f) for f in result.findings)
    assert result.found == ("email", "card")


@pytest.mark.parametrize(
    "iban",
    [
        "DE89-3704-0044-0532-0130-00", "DE89.3704.0044.0532.0130.00", "DE89  3704  0044  0532  0130  00",
        "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000", "de89 3704 0044 0532 0130 00", "DE 89 3704 0044 0532 0130 00",
        "ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００", "GB82-WEST-1234-5698-7654-32", "FR14 2004 1010 0505 0001 3M02 606",
    ],
)  # fmt: skip
def test_iban_in_any_grouping_is_replaced(iban: str) -> None:
    assert redact(f"IBAN {iban} merci").text == "IBAN [iban] merci"


def test_iban_ends_at_its_country_length_so_following_words_stay() -> None:
    assert redact("DE89 3704 0044 0532 0130 00 1234 is mine").text == "[iban] 1234 is mine"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("jo.smith at example dot com", "en"), ("jo [at] example [dot] com", "en"), ("jo(at)example(dot)co(dot)uk", "en"),
        ("jo {at} example.com", "en"), ("jo AT example DOT com", "en"), ("jo @ example.com", "en"),
        ("jo＠example.com", "en"), ("jo（at）example（dot）com", "en"), ("jo\u200b@example.com", "en"), ('"jo smith"@example.com', "en"),
        ("jo@[192.0.2.7]", "en"), ("jean arobase orange point fr", "fr"), ("hans (at) web (punkt) de", "de"),
        ("hans ät web punkt de", "de"), ("juan arroba gmail punto com", "es"), ("mario chiocciola libero punto it", "it"),
        ("ana arroba uol ponto com ponto br", "pt"), ("piet apenstaartje ziggo punt nl", "nl"),
        ("ahmed آت gmail دوت com", "ar"), ("rahul at the rate gmail dot com", "hi"),
    ],
)  # fmt: skip
def test_email_written_any_way_is_replaced(text: str, language: str) -> None:
    result = redact(f"write to {text} please")
    assert result.text == "write to [email] please", language


@pytest.mark.parametrize(
    "text",
    [
        "I bought it at amazon.com yesterday",
        "look at example.org for the outage map",
        "thanks @acme.com team",
        "@acme_help thanks!",
        "we met at noon dot the end",
        "see you at 5 in the shop",
        "meet me at home",
    ],
)
def test_at_and_dot_in_ordinary_sentences_are_not_addresses(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    "phone",
    ["0151/12345678", "030/1234567", "0221 / 123 45 67", "0 6 1 2 3 4 5 6 7 8", "0151  23456789", "+49\u00a0151\u00a023456789",
     "٠٥٠ ١٢٣ ٤٥٦٧", "０９０-１２３４-５６７８", "+ 4 9 1 5 1 2 3 4 5 6 7 8 9"],
)  # fmt: skip
def test_phone_in_national_slash_form_odd_digits_or_typed_digit_by_digit_is_replaced(phone: str) -> None:
    assert redact(f"call me on {phone} after six").text == "call me on [phone] after six"


def test_a_number_introduced_as_an_order_is_not_a_phone_but_an_international_one_still_is() -> None:
    assert redact("order 0612345678 missing").text == "order 0612345678 missing"
    assert redact("الطلب رقم 0612345678 لم يصل").text == "الطلب رقم 0612345678 لم يصل"
    assert redact("about my order, my number is 0612345678").text == "about my order, my number is [phone]"
    assert redact("numéro client 0123456789 et facture").text == "numéro client 0123456789 et facture"
    assert redact("order +33 6 12 34 56 78 missing").text == "order [phone] missing"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("SSN 536-22-1234", "id.us_ssn"), ("ssn 536 22 1234", "id.us_ssn"), ("NI AB 12 34 56 C", "id.uk_nino"),
        ("NIR 2 69 05 49 588 157 80", "id.fr_nir"), ("sécu 269054958815780", "id.fr_nir"),
        ("NIR 1 85 05 2A 123 456 33", "id.fr_nir"), ("DNI 12345678Z", "id.es_dni"), ("DNI 12.345.678-Z", "id.es_dni"),
        ("NIE X1234567L", "id.es_nie"), ("CF RSSMRA85T10A562S", "id.it_codice_fiscale"),
        ("cf rssmra85t10a562s", "id.it_codice_fiscale"), ("Steuer-ID 86 095 742 719", "id.de_steuer_id"),
        ("CPF 529.982.247-25", "id.br_cpf"), ("Aadhaar 2341 2341 2346", "id.in_aadhaar"),
        ("आधार २३४१ २३४१ २३४६", "id.in_aadhaar"), ("PAN ABCPD1234F", "id.in_pan"),
    ],
)  # fmt: skip
def test_national_id_passing_its_check_is_replaced(text: str, rule: str) -> None:
    result = redact(text + " thanks")
    assert result.text.endswith(" [id] thanks")
    assert result.rules == (rule,)
    assert result.found == ("id",)


def test_nir_in_corsica_is_checked_with_its_department_as_19() -> None:
    assert checks.nir_valid("185052A12345633")
    assert checks.nir_valid("185052B12345660")
    assert not checks.nir_valid("185052A12345660")


@pytest.mark.parametrize(
    "text",
    [
        "SSN 666-22-1234", "SSN 000-22-1234", "NI QQ 12 34 56 C", "NIR 2 69 05 49 588 157 81", "DNI 12345678A",
        "CF RSSMRA85T10A562T", "Steuer-ID 86 095 742 718", "CPF 529.982.247-26", "Aadhaar 2341 2341 2345",
        "PAN ABCXD1234F",
    ],
)  # fmt: skip
def test_id_failing_its_check_is_kept(text: str) -> None:
    assert redact(text).found == ()


def test_bare_digits_that_pass_only_a_weak_check_give_way_to_the_words_before_them() -> None:
    assert redact("order 52998224725 late").text == "order 52998224725 late"  # a valid CPF, but an order
    result = redact("here 52998224725 thanks")
    assert result.text == "here [id] thanks" and result.rules == ("id.br_cpf?",)
    assert redact("CPF 52998224725").rules == ("id.br_cpf",)


def test_digits_inside_links_are_left_alone_but_addresses_in_them_go() -> None:
    text = f"https://shop.example/o/{VISA}/123-45-6789?u=jo@example.com"
    assert redact(text).text == f"https://shop.example/o/{VISA}/123-45-6789?u=[email]"


def test_cards_one_after_another_in_one_run_are_each_replaced() -> None:
    text = "cards 4111 1111 1111 1111 5555 5555 5555 4444 4012 8888 8888 1881 all charged"
    assert redact(text).text == "cards [card] [card] [card] all charged"


def test_a_long_paste_of_many_values_loses_every_one() -> None:
    text = "".join(f"{VISA} {IBAN_DE} jo{i}@example.com +44 7700 900{i % 1000:03d}\n" for i in range(500))
    result = redact(text)
    assert len(result.findings) == 2000
    assert not any(ch.isdigit() for ch in result.text.replace("[", "").replace("]", ""))


def test_a_mobile_number_with_its_country_code_but_no_plus_needs_a_phone_word() -> None:
    assert redact("MSISDN 447700900123 blocked").text == "MSISDN [phone] blocked"
    assert redact("my number 491512345678 please call").rules == ("phone.msisdn",)
    assert redact("ticket 447700900123 still open").text == "ticket 447700900123 still open"
    assert redact("IMEI del telefono 353932223764140").text == "IMEI del telefono 353932223764140"
