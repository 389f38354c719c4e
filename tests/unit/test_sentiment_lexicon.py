"""The multilingual lexicon rules, language by language: the team's own behaviour tests."""

from __future__ import annotations

import pytest

from voc.analysis.language import detect_language, looks_hinglish
from voc.sentiment.lexicon import LEXICON_LANGUAGES, LexiconScorer, load_lexicon, parse_lexicon
from voc.sentiment.scoring import SentimentLabel

NEG, NEU, POS = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE


@pytest.fixture(scope="module")
def lexicon() -> LexiconScorer:
    return LexiconScorer()


@pytest.mark.parametrize(
    ("language", "praise", "negated"),
    [
        ("es", "El servicio es bueno", "El servicio no es bueno"),
        ("fr", "Le service est bon", "Le service n'est pas bon"),
        ("de", "Der Service ist gut", "Der Service ist nicht gut"),
        ("pt", "Gostei do atendimento", "Não gostei do atendimento"),
        ("it", "Il servizio è buono", "Il servizio non è buono"),
        ("nl", "De service is goed", "De service is niet goed"),
        ("ar", "الخدمة ممتازة", "الخدمة مش ممتازة"),
        ("hi", "service achhi hai", "service achhi nahi hai"),
    ],
)
def test_negation_flips_praise_in_every_language(
    lexicon: LexiconScorer, language: str, praise: str, negated: str
) -> None:
    assert lexicon.score(praise, language).label is POS
    result = lexicon.score(negated, language)
    assert result.label is NEG
    assert any(" " in reason for reason in result.reasons), result.reasons  # the phrase, not the bare word


def test_negation_after_the_word_counts_in_german_dutch_and_hindi(lexicon: LexiconScorer) -> None:
    assert lexicon.score("Das neue Design gefällt mir nicht", "de").label is NEG
    assert lexicon.score("Die app werkt goed niet", "nl").label is NEG
    assert lexicon.score("ye app achha nahi", "hi").label is NEG


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "La app está bien pero el soporte es pésimo"),
        ("fr", "Le forfait est bien mais le réseau est nul"),
        ("de", "Der Preis ist gut, aber der Service ist miserabel"),
        ("it", "Il prezzo è buono ma l'assistenza è pessima"),
        ("pt", "O preço é bom mas o atendimento é péssimo"),
        ("nl", "De prijs is goed maar de service is waardeloos"),
        ("ar", "السعر حلو لكن الخدمة سيئة"),
        ("hi", "price achha hai lekin service bekaar hai"),
    ],
)
def test_what_follows_a_contrast_word_decides(lexicon: LexiconScorer, language: str, text: str) -> None:
    result = lexicon.score(text, language)
    assert result.label is NEG
    assert result.reasons  # the complaint, shown to the agent


def test_intensifiers_strengthen_and_dampeners_soften(lexicon: LexiconScorer) -> None:
    plain = lexicon.score("El servicio es malo", "es").score
    assert (
        lexicon.score("El servicio es muy malo", "es").score
        < plain
        < lexicon.score("El servicio es un poco malo", "es").score
        < 0
    )


def test_emoji_and_emoticons_carry_sentiment(lexicon: LexiconScorer) -> None:
    angry = lexicon.score("Otra vez sin internet 😡", "es")
    assert angry.label is NEG and "😡" in angry.reasons
    assert lexicon.score("Merci :)", "fr").label is POS
    assert lexicon.score("🔥🔥🔥", "und").label is POS  # the team's table: fire is praise on social media


def test_elongation_and_capitals_emphasise(lexicon: LexiconScorer) -> None:
    plain = lexicon.score("es lento", "es").score
    assert lexicon.score("es lentooooo", "es").score < plain
    assert lexicon.score("es LENTO", "es").score < plain


def test_hashtags_are_split_into_words_and_handles_and_urls_ignored(lexicon: LexiconScorer) -> None:
    result = lexicon.score("@pesimo_servicio mira https://t.co/malo #ServicioPésimo", "es")
    assert result.label is NEG
    assert result.reasons == ("pésimo",)
    assert lexicon.score("@malo_oficial https://malo.example/horrible", "es").label is NEU


def test_accents_are_optional(lexicon: LexiconScorer) -> None:
    assert lexicon.score("servicio pesimo", "es").label is NEG
    assert lexicon.score("tres decu", "fr").label is NEG


def test_arabic_clitics_and_letter_variants_are_normalised(lexicon: LexiconScorer) -> None:
    assert lexicon.score("والخدمة سيئة جداً", "ar").label is NEG  # و + ال + noun; ة/ه; tanween
    assert lexicon.score("شكرا على الرد السريع 👍", "ar").label is POS


def test_hinglish_and_mixed_language_posts(lexicon: LexiconScorer) -> None:
    assert lexicon.score("bhai ekdum bakwas service, paisa barbaad", "hi").label is NEG
    assert lexicon.score("bahut badhiya app, love it", "hi").label is POS
    # English words count in every language: tweets borrow them.
    assert lexicon.score("El update es un fail total", "es").label is NEG


def test_hinglish_is_detected_as_hindi_but_italian_is_not() -> None:
    assert detect_language("yaar ye app bilkul bekaar hai, kuch kaam nahi karta") == "hi"
    assert looks_hinglish("mera phone kal se kharab hai aur koi jawab nahi")
    assert not looks_hinglish("hai ragione, non ho tempo oggi")
    assert detect_language("Hai ragione, oggi non ho proprio tempo per il calcio") == "it"


def test_unsupported_language_falls_back_to_emoji_with_low_confidence(lexicon: LexiconScorer) -> None:
    result = lexicon.score("Опять нет связи 😡😡", "ru")
    assert result.label is NEG
    assert result.scorer.endswith("/xx")
    assert result.confidence < lexicon.score("Otra vez sin señal 😡😡", "es").confidence


def test_neutral_statements_have_no_reasons(lexicon: LexiconScorer) -> None:
    for text, language in [("El pedido llega el martes", "es"), ("Le match commence à 21h", "fr")]:
        result = lexicon.score(text, language)
        assert result.label is NEU and result.reasons == ()


def test_empty_and_junk_text_is_neutral_without_confidence(lexicon: LexiconScorer) -> None:
    for junk in ["", "   ", "@user", "https://t.co/x"]:
        result = lexicon.score(junk, "es")
        assert (result.label, result.confidence) == (NEU, 0.0)


@pytest.mark.parametrize("language", LEXICON_LANGUAGES)
def test_every_lexicon_parses_with_valences_on_vaders_scale(language: str) -> None:
    lexicon = load_lexicon(language)
    values = list(lexicon.words.values()) + [v for _, v in lexicon.prefixes] + list(lexicon.phrases.values())
    assert len(values) >= 100
    assert all(-4 <= v <= 4 and v != 0 for v in values)
    assert lexicon.negators and lexicon.contrast


def test_a_lexicon_entry_without_a_valence_is_refused() -> None:
    with pytest.raises(ValueError, match="no valence"):
        parse_lexicon("es", "[words]\nbueno")
