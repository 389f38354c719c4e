"""The words just before a number that say what it is: an IMEI, a SIM, an order, a card, an id.

Customers introduce numbers ("my IMEI is …", "Bestellnummer …", "carte bancaire …"). The nearest
such word within a short window before a number decides between look-alikes; a number the words do
not settle is treated as personal data.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Final


class Cue(StrEnum):
    """What the words before a number say it is."""

    DEVICE = "device"  # IMEI, serial number, handset
    SIM = "sim"  # ICCID, SIM card
    ORDER = "order"  # order, invoice, contract, customer account
    TRACKING = "tracking"  # parcel and shipment tracking
    REFERENCE = "reference"  # payment reference, transaction, ticket, case
    CARD = "card"
    PHONE = "phone"
    ID = "id"  # national id and tax numbers


_WORDS: Final[dict[Cue, tuple[str, ...]]] = {
    Cue.DEVICE: (
        "imei", "imeisv", "meid", "device", "devices", "handset", "serial", "serial number", "s/n", "sn",
        "appareil", "numéro de série", "seriennummer", "gerät", "geräts", "dispositivo", "número de serie",
        "numero di serie", "número de série", "toestel", "serienummer", "جهاز", "الجهاز", "الرقم التسلسلي",
        "phone's imei", "model", "modell", "modèle", "modelo", "modello",
    ),
    Cue.SIM: ("iccid", "sim", "sim card", "carte sim", "sim-karte", "simkarte", "tarjeta sim", "chip", "شريحة", "الشريحة", "eid"),
    Cue.ORDER: (
        "order", "order number", "order no", "order id", "commande", "bestellung", "bestellnummer", "auftrag",
        "auftragsnummer", "pedido", "ordine", "encomenda", "bestelling", "bestelnummer", "طلب", "الطلب",
        "invoice", "facture", "rechnung", "rechnungsnummer", "factura", "fattura", "fatura", "factuur",
        "فاتورة", "الفاتورة", "contract", "contrat", "vertrag", "vertragsnummer", "contrato", "contratto",
        "account", "account number", "customer number", "compte", "kundennummer", "kundenkonto", "cliente",
        "klantnummer", "حساب", "الحساب", "client", "numéro client", "n° client", "référence client",
        "abonné", "customer id", "subscriber", "kundennr", "vertragskonto", "contrato", "nº cliente", "ticket", "case", "dossier", "vorgang", "incidencia", "pratica", "protocolo",
        "item", "article", "artikel", "artikelnummer", "sku", "part", "part number", "teilenummer", "product", "produkt", "produit", "bill", "receipt", "reçu", "beleg",
    ),
    Cue.TRACKING: (
        "tracking", "tracking number", "tracking code", "track", "suivi", "numéro de suivi", "colis",
        "sendung", "sendungsnummer", "sendungsverfolgung", "paket", "paketnummer", "seguimiento", "envío", "envio",
        "spedizione", "tracciamento", "rastreamento", "rastreio", "código de rastreio", "pakket",
        "parcel", "package", "shipment", "consignment", "awb", "waybill", "ups", "dhl", "usps", "fedex",
        "royal mail", "hermes", "dpd", "gls", "chronopost", "colissimo", "correos", "shipping", "تتبع", "التتبع",
        "شحنة", "الشحنة", "الشحن",
    ),
    Cue.REFERENCE: (
        "ref", "reference", "référence", "referenz", "verwendungszweck", "referencia", "riferimento",
        "referência", "kenmerk", "betalingskenmerk", "transaction", "transaktion", "transacción", "transazione",
        "transação", "payment id", "mandate", "mandat", "creditor", "gläubiger", "مرجع", "المرجع",
        "confirmation", "bestätigung", "booking", "réservation", "buchung", "reserva", "prenotazione",
        "voucher", "coupon", "gutschein", "code", "pin", "puk", "otp",
    ),
    Cue.CARD: (
        "card", "credit card", "debit card", "carte", "carte bancaire", "cb", "karte", "kreditkarte",
        "tarjeta", "carta", "cartão", "kaart", "creditcard", "بطاقة", "visa", "mastercard", "amex", "maestro",
        "charged", "paid with", "payé avec", "bezahlt mit", "pagado con", "pagato con", "pago com",
    ),
    Cue.PHONE: (
        "phone", "call", "tel", "mobile", "cell", "number", "whatsapp", "sms", "text me", "ring", "handy",
        "telefon", "rufnummer", "nummer", "téléphone", "portable", "numéro", "appelez", "teléfono", "móvil",
        "llamar", "telefono", "cellulare", "numero", "telefone", "celular", "telefoon", "mobiel", "هاتف",
        "جوال", "رقم", "اتصل", "mob", "ph", "msisdn", "mobile number", "phone number", "número", "contacto",
        "contato", "contact", "contactar", "ligue", "ligar", "liga", "chamada", "chamadas", "telemóvel", "telemovel",
        "tlm", "tlf", "móvel", "movil", "llámame", "llama", "llamadme", "whatsap", "zap", "anrufen", "ruf", "mobil",
        "mobilnummer", "festnetz", "appelle", "appeler", "rappeler", "joindre", "chiamami", "chiama", "chiamare",
        "bel", "bellen", "gsm", "واتساب", "واتس", "موبايل", "تلفون", "تليفون", "📞", "☎", "📱", "📲",
    ),
    Cue.ID: (
        "ssn", "social security", "national insurance", "ni number", "nino", "nir", "sécurité sociale",
        "sécu", "numéro de sécurité sociale", "dni", "nie", "nif", "codice fiscale", "cf", "steuer-id",
        "steuerid", "steuer-idnr", "steuerliche identifikationsnummer", "identifikationsnummer", "idnr",
        "cpf", "aadhaar", "aadhar", "uid", "pan", "pan card", "tax id", "id number", "identity", "ausweis",
        "الهوية", "رقم الهوية", "आधार", "bsn", "burgerservicenummer", "sofinummer", "sofi-nummer",
        "contribuinte", "número de contribuinte", "nº de contribuinte", "número fiscal",
    ),
}  # fmt: skip

_CUE_OF: Final[dict[str, Cue]] = {word: cue for cue, words in _WORDS.items() for word in words}
# Longest first, so "sim card" is read as SIM and "credit card" as CARD.
_CUE_RE: Final = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(w) for w in sorted(_CUE_OF, key=len, reverse=True)) + r")(?![\w])"
)
WINDOW: Final = 40  # characters before a number searched for its cue

# "number" alone is a phone cue ("my number is"), but right after another cue it is that cue's
# number ("model number", "الطلب رقم": order number).
_GENERIC: Final = frozenset({"number", "nummer", "numéro", "numero", "número", "رقم", "mob", "ph"})
# Cues that say a number is not personal data.
NOT_PERSONAL: Final = frozenset({Cue.DEVICE, Cue.SIM, Cue.ORDER, Cue.TRACKING, Cue.REFERENCE})


def cue_before(text: str, start: int) -> Cue | None:
    """The nearest cue word in the `WINDOW` characters before `start`, in the same sentence."""
    window = text[max(0, start - WINDOW) : start]
    if not window.isascii():
        window = unicodedata.normalize("NFC", window)  # "nu\u0301mero" typed on a Mac is "número"
    # A sentence end between the cue and the number cuts the link.
    for stop in (". ", "! ", "? ", "\n"):
        cut = window.rfind(stop)
        if cut >= 0:
            window = window[cut + len(stop) :]
    cue: Cue | None = None
    previous_end = -10
    for match in _CUE_RE.finditer(window.lower()):
        word = match.group(1)
        if word not in _GENERIC or cue is None or match.start() - previous_end > 2:
            cue = _CUE_OF[word]
        previous_end = match.end()
    return cue
