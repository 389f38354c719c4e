"""Redaction against hostile inputs: personal values hidden the way people dodge filters, or carried
inside links, markup and table cells; and the ordinary numbers those fixes must still leave alone."""

from __future__ import annotations

import pytest

from voc.analysis.redaction import redact


@pytest.mark.parametrize(
    "address",
    [
        "lena.moreau%40example.fr",  # percent-encoded, as in an unsubscribe link
        "lena.moreau&#64;example.fr", "lena.moreau&#x40;example.fr", "lena.moreau&commat;example.fr",  # HTML
        "lena.moreau\\u0040example.fr",  # a JSON escape left in a pasted payload
        "lena.moreau@\nexample.fr",  # wrapped after the "@"
        "lena . moreau @ example . fr", "lena.moreau @ example . fr",  # spaced all through
        "lena\\_moreau@example\\.fr",  # Markdown-escaped, as some exports write it
    ],
)  # fmt: skip
def test_an_address_encoded_wrapped_or_spaced_out_is_replaced_whole(address: str) -> None:
    result = redact(f"écrivez à {address} merci")
    assert result.text == "écrivez à [email] merci"
    assert result.found == ("email",)


def test_an_address_percent_encoded_in_a_link_query_is_replaced() -> None:
    text = "https://news.example/unsubscribe?u=lena.moreau%2Bnews%40example.fr&list=7"
    assert redact(text).text == "https://news.example/unsubscribe?u=[email]&list=7"


@pytest.mark.parametrize(
    "text",
    [
        "thanks @\nacme.com for nothing",  # a mention at the end of a line is still a mention
        "50%40 off? no, 50% 40 times",  # "%40" not between a local part and a domain
        "see &#64;acme_help",
    ],
)
def test_an_encoded_at_or_a_line_break_does_not_make_mentions_into_addresses(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("link", "redacted"),
    [
        ("https://shop.example/callback?phone=0612345678&lang=fr", "https://shop.example/callback?phone=[phone]&lang=fr"),
        ("https://api.whatsapp.com/send?phone=33612345678&text=hi", "https://api.whatsapp.com/send?phone=[phone]&text=hi"),
        ("https://wa.me/33612345678", "https://wa.me/[phone]"),
        ("wa.me/+33612345678", "wa.me/[phone]"),
        ("https://pay.example/checkout?card_number=4111111111111111&step=2", "https://pay.example/checkout?card_number=[card]&step=2"),
        ("https://bank.example/transfer?iban=DE89370400440532013000", "https://bank.example/transfer?iban=[iban]"),
    ],
)  # fmt: skip
def test_a_link_carrying_a_phone_card_or_iban_in_a_parameter_named_for_it_loses_the_value(
    link: str, redacted: str
) -> None:
    assert redact(f"lien : {link} !").text == f"lien : {redacted} !"


@pytest.mark.parametrize(
    "link",
    [
        "https://x.com/acme/status/1734567890123456789",
        "https://shop.example/order?id=4111111111111111",  # digits in other parameters are ids
        "https://shop.example/p/4111111111111111?phone_case=1",
        "https://wa.me/message/AB12CD34EF",  # a business's short link, no number in it
    ],
)
def test_digits_elsewhere_in_links_are_still_left_alone(link: str) -> None:
    assert redact(f"see {link}").text == f"see {link}"


@pytest.mark.parametrize(
    ("row", "redacted"),
    [
        ("R-17,4111111111111111,12/27,refund", "R-17,[card],12/27,refund"),
        ("2,5555555555554444,3", "2,[card],3"),
        ("Lyon,0612345678,5,trop lent", "Lyon,[phone],5,trop lent"),
        ('"Paris",+33612345678,"rappel"', '"Paris",[phone],"rappel"'),
    ],
)
def test_a_card_or_phone_in_a_csv_cell_between_commas_is_replaced(row: str, redacted: str) -> None:
    assert redact(row).text == redacted


@pytest.mark.parametrize(
    "text",
    ["1,234,567 views", "Rs 1,49,999 only", "pi is 3,14159", "total 12,5 € et 1 234,50 €", "2,3,4,5,6,7,8,9,10"],
)
def test_thousands_groups_and_decimals_after_commas_are_left_alone(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    "typed",
    ["4111\n1111\n1111\n1111", "4111 1111\n1111\n1111", "5555\n5555\n5555\n4444", "3782\n822463\n10005"],
)
def test_a_card_typed_one_group_a_line_is_replaced_as_one(typed: str) -> None:
    result = redact(f"ma carte :\n{typed}\nmerci")
    assert result.text == "ma carte :\n[card]\nmerci"
    assert result.rules == ("card.luhn.split",)


@pytest.mark.parametrize("text", ["budgets 4000, 4500, 5000, 5500 €", "rooms 4111, 1111, 1111 and 1111"])
def test_numbers_listed_on_one_line_are_not_joined_into_a_card(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Festnetz 030 / 123 456 7", "phone.national"),  # the last group one digit
        ("Zentrale 0711 123456-0", "phone.national"),  # an extension after a dash
        ("teléfono fijo 91 123 45 67", "phone.national"),  # Spanish landline, 2-3-2-2
        ("telefone 21 123 4567", "phone.national"),  # Portuguese landline, 2-3-4
        ("mi móvil 612345678", "phone.bare"),  # one block of nine after a phone word
        ("mera number 9876543210 hai", "phone.msisdn"),  # India's code 98 is also an MSISDN shape
    ],
)
def test_national_landlines_extensions_and_unbroken_mobiles_are_phones(text: str, rule: str) -> None:
    result = redact(text)
    assert result.text.endswith("[phone]") or "[phone] " in result.text
    assert result.rules == (rule,)


@pytest.mark.parametrize(
    "text",
    [
        "300 000 000 clients touchés",
        "Strafe von 250.000.000 €",
        "pedido 612345678 sin llegar",  # an unbroken block after an order word stays
        "ho pagato 612345678 volte?",  # and with no phone word before it
        "1 2 3 4 5 6 7 8 9",  # counting
    ],
)
def test_round_counts_order_numbers_and_unintroduced_blocks_are_not_phones(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    "phone", ["O6 12 34 56 78", "O612345678", "06 I2 34 56 78", "O7700 9OO123", "+33 6 l2 34 56 78"]
)
def test_a_phone_with_letters_typed_for_digits_is_replaced(phone: str) -> None:
    assert redact(f"rappelez-moi au {phone} svp").text == "rappelez-moi au [phone] svp"


@pytest.mark.parametrize(
    "text", ["my O2 bill is 45 €", "O2 UK 4G is down", "iOS 17 on iPhone 15", "Il y a 10 jours", "Win1O"]
)
def test_names_with_o_and_digits_are_not_read_as_numbers(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044\n0532 0130 00",  # wrapped onto the next line
        "NL91 ABNA\n0417 1643 00",
        "DE89/3704/0044/0532/0130/00",
        "de89/3704/0044/0532/0130/00",
    ],
)
def test_an_iban_wrapped_over_two_lines_or_grouped_with_slashes_is_replaced_whole(iban: str) -> None:
    result = redact(f"IBAN {iban}\ndanke")
    assert result.text == "IBAN [iban]\ndanke"
    assert result.found == ("iban",)


def test_an_iban_glued_to_the_word_iban_is_replaced() -> None:
    assert redact("IBANDE89370400440532013000 bitte").text == "IBAN[iban] bitte"


def test_a_payment_reference_on_the_line_after_an_iban_stays() -> None:
    text = "IBAN DE89 3704 0044 0532 0130 00\nVerwendungszweck RF18 5390 0754 7034"
    assert redact(text).text == "IBAN [iban]\nVerwendungszweck RF18 5390 0754 7034"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("mijn BSN is 123456782", "id.nl_bsn"),
        ("burgerservicenummer 1234 56 782", "id.nl_bsn"),
        ("o meu NIF é 123456789", "id.pt_nif"),
        ("número de contribuinte 123 456 789", "id.pt_nif"),
    ],
)
def test_a_dutch_bsn_or_portuguese_nif_after_its_name_is_an_id(text: str, rule: str) -> None:
    result = redact(text + ", obrigado")
    assert result.text.endswith("[id], obrigado")
    assert result.rules == (rule,)


@pytest.mark.parametrize(
    "text", ["bestelling 123456782 niet ontvangen", "encomenda 123456789 atrasada", "123456782 views"]
)
def test_nine_digits_that_pass_the_bsn_check_without_its_name_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize("glued", ["#4111111111111111", "cc4111111111111111", "CB5555555555554444"])
def test_a_card_glued_to_a_hash_or_a_short_word_is_redacted_as_ambiguous(glued: str) -> None:
    result = redact(f"refund {glued} now")
    assert result.text.startswith("refund ") and "[card]" in result.text and "1111" not in result.text
    assert result.rules == ("card.luhn?",)


@pytest.mark.parametrize(
    "text", ["order #4111111111111112", "SKU4111111111111112", "#1734567890123456789", "ref#0000000000000000"]
)
def test_glued_numbers_that_are_not_valid_cards_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("typed", "kind"), [("4111_1111_1111_1111", "[card]"), ("DE89_3704_0044_0532_0130_00", "[iban]")]
)
def test_a_card_or_iban_grouped_with_underscores_is_replaced(typed: str, kind: str) -> None:
    assert redact(f"pay to {typed} today").text == f"pay to {kind} today"


@pytest.mark.parametrize(
    "text",
    [
        "CF: RSS MRA 85T10 A562S",  # a codice fiscale in its parts
        "codice fiscale rssmra 85 t10 a562 s",
        "sécu 1 85 05 78 006 084",  # a NIR typed without its key, after its name
        "numéro de sécurité sociale 1850578006084",
    ],
)
def test_an_id_typed_in_parts_or_without_its_key_after_its_name_is_replaced(text: str) -> None:
    result = redact(text + " grazie")
    assert result.text.endswith("[id] grazie")
    assert result.found == ("id",)


@pytest.mark.parametrize(
    "text", ["commande 1850578006084 en retard", "THE CAT 85T10 A562S", "RSS MRA 85T10 A562T", "lot 1850578006084"]
)
def test_look_alikes_of_ids_in_parts_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("cell 338-1234567 grazie", "cell [phone] grazie"),  # Italian mobile, 3-7
        ("bel 06 - 1234 5678 aub", "bel [phone] aub"),  # a spaced dash after the trunk prefix
        ("call +1-555-123-4567x89 please", "call [phone]x89 please"),  # the extension glued with "x"
        ("DNI 12 345 678 Z gracias", "DNI [id] gracias"),
        ("NI AB-12-34-56-C thanks", "NI [id] thanks"),
        ("mail kowalsky.jo(a)example.de danke", "mail [email] danke"),  # "(a)" for "@"
        ("u=kowalsky.jo%2540example.de", "u=[email]"),  # percent-encoded twice
    ],
)
def test_more_national_styles_and_disguises_are_replaced(text: str, redacted: str) -> None:
    assert redact(text).text == redacted


@pytest.mark.parametrize(
    "text",
    [
        "rated 5 5 5 5 5 5 5 5 5 lol",
        "see clause 3(a)(ii) of the contract",
        "option(a)vs.option(b)",
        "range 300-123456 ok",
    ],
)
def test_repeated_digits_and_lettered_clauses_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "o meu número 845756117",
        "o meu nu\u0301mero 845756117",  # "ú" typed as "u" and a combining accent
        "Contacto: 827373100",
        "ligue já 📞 846449963",
        "☎️846161611",
        "Whatsap- 858012121",
        "Whatsapp 00 258 8264 46 233",
        "llámame 612345678",
        "chiamami 3471234567",
    ],
)
def test_a_phone_in_one_block_after_a_phone_word_or_sign_in_our_languages_is_replaced(text: str) -> None:
    result = redact(text + " obrigado")
    assert result.text.endswith("[phone] obrigado")
    assert result.found == ("phone",)


def test_every_number_in_a_list_after_a_phone_word_is_a_phone() -> None:
    text = "Contacto: 827373100 | 824363655 | 872799030 | 842799030 ou 873471731 Apoie"
    assert redact(text).text == "Contacto: [phone] | [phone] | [phone] | [phone] ou [phone] Apoie"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Colar 700 MT 868287968 em 25 de Junho", "Colar 700 MT 868287968 em 25 de Junho"),  # no phone word
        ("pedido número 612345678 atrasado", "pedido número 612345678 atrasado"),  # the order's number
        ("La Liga 2024 2025 season", "La Liga 2024 2025 season"),
        ("contact 3 times, 2 hours waiting", "contact 3 times, 2 hours waiting"),
        ("Contacto: 827373100 e pedido 612345678", "Contacto: [phone] e pedido 612345678"),  # the list ends
    ],
)
def test_new_phone_words_leave_order_numbers_and_unintroduced_blocks_alone(text: str, redacted: str) -> None:
    assert redact(text).text == redacted


@pytest.mark.parametrize("text", ["server 81.123.45.67 is down", "IP 91.123.45.67 blocked", "host 21.123.4567"])
def test_dotted_addresses_shaped_like_landlines_are_not_phones(text: str) -> None:
    assert redact(text).text == text


def test_a_number_with_a_trunk_zero_is_a_phone_even_when_it_ends_in_zeros() -> None:
    assert redact("appelez le 01 40 00 00 00 svp").text == "appelez le [phone] svp"


@pytest.mark.parametrize(
    ("markup", "redacted"),
    [
        ("4111&nbsp;1111&nbsp;1111&nbsp;1111", "[card]"),  # entities read as the characters they stand for
        ("4111&#160;1111&#160;1111&#160;1111", "[card]"),
        ("06&nbsp;12&nbsp;34&nbsp;56&nbsp;7&#56;", "[phone]"),  # the masked span covers the whole last entity
        ("DE89&nbsp;3704&nbsp;0044&nbsp;0532&nbsp;0130&nbsp;00", "[iban]"),
        ("<b>4111</b> <b>1111</b> <b>1111</b> <b>1111</b>", "<b>[card]</b>"),  # inline tags read as nothing
        ("4111<br>1111<br/>1111<br />1111", "[card]"),  # a line-breaking tag is a line break
        ('lena.moreau<span class="at">@</span>example.fr', "[email]"),
        ("https://x.example/cb?a=1&amp;phone=0612345678", "https://x.example/cb?a=1&amp;phone=[phone]"),
    ],
)
def test_values_inside_html_entities_and_tags_are_replaced_and_the_markup_around_them_kept(
    markup: str, redacted: str
) -> None:
    assert redact(f"<p>{markup}</p>").text == f"<p>{redacted}</p>"


@pytest.mark.parametrize(
    "text",
    [
        "Tom &amp; Jerry &copy; 2026, 5 < 6 > 4",
        "a<b and c>d",
        "<td>12</td><td>34</td><td>56</td>",  # table cells stay apart
        "&unknown; 4111 1111",
    ],
)
def test_ordinary_markup_and_angle_brackets_are_left_alone(text: str) -> None:
    assert redact(text).text == text


def test_an_address_in_angle_brackets_is_not_read_as_a_tag() -> None:
    assert redact("Jane <jane.doe@example.com> wrote").text == "Jane <[email]> wrote"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("appelez-moi (06 12 34 56 78) svp", "appelez-moi ([phone]) svp"),
        ("mein Handy (0151 12345678)", "mein Handy ([phone])"),
        ("WhatsApp (+33 6 12 34 56 78).", "WhatsApp ([phone])."),
        ("[06 12 34 56 78](tel:0612345678)", "[[phone]](tel:[phone])"),
        ("Tel (030) 1234567", "Tel [phone]"),  # an area code in brackets is part of the number
    ],
)
def test_a_phone_in_brackets_is_replaced_and_the_brackets_kept(text: str, redacted: str) -> None:
    assert redact(text).text == redacted


@pytest.mark.parametrize("text", ["see (2019)", "(555)", "rated (4/5)", "(12 34)"])
def test_short_numbers_in_brackets_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    "phone",
    [
        "0️⃣6️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣8️⃣",  # keycap emoji
        "⓪⑥①②③④⑤⑥⑦⑧",  # circled digits
        "⁰⁶¹²³⁴⁵⁶⁷⁸",  # superscripts
        "0̶6̶1̶2̶3̶4̶5̶6̶7̶8̶",  # struck through
    ],
)
def test_a_phone_in_decorated_digits_is_replaced(phone: str) -> None:
    assert redact(f"ruf an {phone} danke").text == "ruf an [phone] danke"


@pytest.mark.parametrize(
    ("body", "redacted"),
    [
        ('{"text":"call\\n0612345678\\nthanks"}', '{"text":"call\\n[phone]\\nthanks"}'),
        ('{"text":"card:\\t4111111111111111"}', '{"text":"card:\\t[card]"}'),
        ('{"email":"lena.moreau\\u0040example.fr"}', '{"email":"[email]"}'),
    ],
)
def test_values_in_a_json_body_with_its_escapes_are_replaced(body: str, redacted: str) -> None:
    assert redact(body).text == redacted


@pytest.mark.parametrize(
    "text", ["m² 25 units", "x² + y² = 25", "H₂O", "① ② ③ ④ ⑤ ⑥ ⑦ ⑧ ⑨ steps", "5️⃣ stars", "C:\\new\\table 0612"]
)
def test_superscripts_circled_lists_keycaps_and_paths_stay(text: str) -> None:
    assert redact(text).text == text
