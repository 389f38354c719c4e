"""New demo items, drawn with a fixed seed from the scenario's everyday situations.

The hand-written scenario (scenario.jsonl) tells three days, the outage among them. Around it the
demo needs ordinary days (the rest of the back-filled week, and every day after install), so this
module writes them: each situation (a double charge, no signal, a long hold, a question about eSIM…)
has a template per language, and each template has slots (town, amount, minutes, phone, agent,
how the brand is named, a closing emoji).

Why it never repeats itself: a template's texts are numbered (mixed radix over its slots), and each
(situation, language) family hands out its numbers in a fixed shuffled order, one after the other,
with a counter kept in the listener's cursor. Two items of one family never get the same number, so
never the same text; the social and survey parts use disjoint brand wordings, so they never meet
either. A family that has used all its numbers (thousands; years at the demo's rate) is skipped.

Volume follows a day: an hourly profile (quiet nights, busy lunchtimes and evenings) scaled down at
weekends, with a Poisson draw per hour seeded by the hour itself, so a given hour always holds the
same items. No Streamlit import here.
"""

from __future__ import annotations

import hashlib
import math
import random
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final

SEED: Final = 16
LANGUAGES: Final = ("en", "es", "fr", "de", "pt", "it", "nl", "ar")
LANGUAGE_WEIGHTS: Final = (0.36, 0.12, 0.12, 0.12, 0.10, 0.10, 0.06, 0.02)
# Items per hour of the day (UTC) on a weekday, mentions and survey comments; weekends get WEEKEND_SCALE.
MENTIONS_PER_HOUR: Final = (2, 1.5, 1, 1, 1, 1.5, 3, 5, 6.5, 7, 7.5, 8, 9, 8, 7.5, 7.5, 8, 8.5, 9, 9.5, 9, 7, 5, 3)
SURVEYS_PER_HOUR: Final = (
    0.3,
    0.2,
    0.1,
    0.1,
    0.1,
    0.2,
    0.6,
    1.2,
    2,
    2.4,
    2.6,
    2.6,
    2.8,
    2.6,
    2.6,
    2.6,
    2.6,
    2.4,
    2,
    1.8,
    1.6,
    1.2,
    0.8,
    0.5,
)
WEEKEND_SCALE: Final = 0.6
CHANNELS: Final = (("x", 0.55), ("facebook", 0.18), ("reddit", 0.14), ("instagram", 0.13))
SURVEYS: Final = ("Quarterly NPS", "Post-contact CSAT")

# How each part names the brand: disjoint wordings, so a social post and a survey comment never share a text.
BRAND_WORDS: Final = {
    "social": ("@NorthwindMobile", "Northwind", "#NorthwindMobile"),
    "survey": ("Northwind Mobile", "northwind", "NW Mobile"),
}
PLACES: Final = {
    "en": (
        "Leeds",
        "Bristol",
        "Manchester",
        "Glasgow",
        "Cardiff",
        "Norwich",
        "Brighton",
        "Leicester",
        "York",
        "Belfast",
    ),
    "es": ("Madrid", "Sevilla", "Valencia", "Bilbao", "Málaga", "Zaragoza", "Murcia", "Vigo", "Granada", "Alicante"),
    "fr": ("Lyon", "Lille", "Nantes", "Toulouse", "Bordeaux", "Rennes", "Nice", "Dijon", "Brest", "Metz"),
    "de": ("Köln", "Leipzig", "Hamburg", "Dresden", "Bremen", "Mainz", "Kiel", "Bonn", "Essen", "Ulm"),
    "pt": ("Porto", "Lisboa", "Braga", "Coimbra", "Faro", "Recife", "Curitiba", "Campinas", "Aveiro", "Natal"),
    "it": ("Torino", "Bologna", "Napoli", "Verona", "Bari", "Genova", "Padova", "Parma", "Pisa", "Trieste"),
    "nl": ("Utrecht", "Leiden", "Delft", "Haarlem", "Breda", "Zwolle", "Arnhem", "Groningen", "Tilburg", "Gouda"),
    "ar": ("دبي", "الرباط", "عمّان", "الدوحة", "جدة", "تونس", "بيروت", "مسقط", "الكويت", "القاهرة"),
}
AMOUNTS: Final = (4, 6, 9, 12, 15, 18, 23, 27, 34, 45)
CURRENCY: Final = {"en": "£{n}", "ar": "{n} دولار"}  # the others write "12 €"
MINUTES: Final = ("25", "35", "40", "45", "50", "55", "70", "80", "90")
DEVICES: Final = ("iPhone 15", "Galaxy S24", "Pixel 8", "iPhone 13", "Galaxy A54", "Xiaomi 13", "iPhone SE", "Moto G84")
AGENTS: Final = ("Priya", "Tomás", "Élodie", "Jonas", "Giulia", "Sanne", "Rui", "Omar", "Lena", "Marco")
ENDINGS: Final = {
    "negative": ("", " 😤", " 🙄", "!!", " 😡", " 👎"),
    "neutral": ("", " 🙏", " 🤔", " 📱", " 👀", " 🙂"),
    "positive": ("", " 🙌", " 👏", "!", " 💯", " ❤️"),
}
FIRST_NAMES: Final = (
    "sam",
    "alex",
    "noor",
    "lucia",
    "pierre",
    "anke",
    "joao",
    "chiara",
    "daan",
    "yasmin",
    "ruth",
    "ivan",
)
LAST_PARTS: Final = ("b", "k", "m", "_r", "_t", "lee", "diaz", "roux", "weber", "costa", "ricci", "smit")


@dataclass(frozen=True)
class Situation:
    key: str
    tone: str
    weight: float
    templates: Mapping[str, str]  # language -> template with {slots}
    competitor: str | None = None  # the item is about this competitor brand instead
    surveys: bool = True  # also written as a survey comment


SITUATIONS: Final = (
    Situation("double_charge", "negative", 1.2, {
        "en": "Charged {amount} twice on this month's bill, {brand}. Nobody in the {place} store can explain it{end}",
        "es": "Me han cobrado {amount} dos veces en la factura, {brand}. En la tienda de {place} no saben por qué{end}",
        "fr": "Prélevé deux fois {amount} sur ma facture, {brand}. La boutique de {place} n'y comprend rien{end}",
        "de": "{amount} doppelt abgebucht diesen Monat, {brand}. Im Shop in {place} kann mir das keiner erklären{end}",
        "pt": "Cobraram {amount} duas vezes na fatura, {brand}. Na loja de {place} ninguém sabe explicar{end}",
        "it": "Addebitati {amount} due volte in bolletta, {brand}. Al negozio di {place} non sanno spiegarlo{end}",
        "nl": "Twee keer {amount} afgeschreven op mijn rekening, {brand}. De winkel in {place} snapt het ook niet{end}",
        "ar": "تم خصم {amount} مرتين من فاتورتي يا {brand}، ولا أحد في فرع {place} يعرف السبب{end}",
    }),
    Situation("no_signal", "negative", 1.3, {
        "en": "No signal indoors in {place} for {minutes} hours now, {brand}. My {device} just says searching{end}",
        "es": "Sin cobertura en casa en {place} desde hace {minutes} horas, {brand}. Mi {device} no encuentra red{end}",
        "fr": "Aucun réseau chez moi à {place} depuis {minutes} heures, {brand}. Mon {device} cherche encore{end}",
        "de": "Seit {minutes} Stunden kein Netz in der Wohnung in {place}, {brand}. Mein {device} sucht nur{end}",
        "pt": "Sem rede em casa em {place} há {minutes} horas, {brand}. O meu {device} não apanha nada{end}",
        "it": "Niente campo in casa a {place} da {minutes} ore, {brand}. Il mio {device} cerca rete e basta{end}",
        "nl": "Al {minutes} uur geen bereik binnen in {place}, {brand}. Mijn {device} blijft zoeken{end}",
        "ar": "لا توجد تغطية في بيتي في {place} منذ {minutes} ساعة يا {brand}، هاتفي {device} يبحث عن الشبكة فقط{end}",
    }),
    Situation("slow_data", "negative", 1.0, {
        "en": "Mobile data crawling in {place} tonight, {brand}: full bars on my {device} and nothing loads{end}",
        "es": "Los datos van lentísimos en {place} esta noche, {brand}: mi {device} con todas las barras y no carga nada{end}",
        "fr": "Données mobiles au ralenti à {place} ce soir, {brand} : toutes les barres sur mon {device} et rien ne charge{end}",
        "de": "Mobile Daten kriechen heute Abend in {place}, {brand}: volle Balken am {device} und nichts lädt{end}",
        "pt": "Dados móveis lentíssimos em {place} hoje, {brand}: o {device} com rede cheia e nada carrega{end}",
        "it": "Dati lentissimi a {place} stasera, {brand}: tacche piene sul {device} e non carica niente{end}",
        "nl": "Mobiele data is traag in {place} vanavond, {brand}: volle streepjes op mijn {device} en niets laadt{end}",
        "ar": "الإنترنت بطيء جدا في {place} الليلة يا {brand}، الإشارة كاملة على {device} ولا شيء يفتح{end}",
    }),
    Situation("long_hold", "negative", 1.1, {
        "en": "{minutes} minutes on hold with {brand} about a {amount} refund and still no answer{end}",
        "es": "{minutes} minutos en espera con {brand} por un reembolso de {amount} y nada{end}",
        "fr": "{minutes} minutes d'attente au téléphone avec {brand} pour un remboursement de {amount}{end}",
        "de": "{minutes} Minuten in der Warteschleife bei {brand} wegen einer Erstattung von {amount}{end}",
        "pt": "{minutes} minutos em espera com a {brand} por um reembolso de {amount} e nada{end}",
        "it": "{minutes} minuti in attesa con {brand} per un rimborso di {amount}, ancora niente{end}",
        "nl": "{minutes} minuten in de wacht bij {brand} voor een terugbetaling van {amount}{end}",
        "ar": "{minutes} دقيقة على الانتظار مع {brand} من أجل استرداد {amount} ولا رد{end}",
    }),
    Situation("phone_menu", "negative", 0.8, {
        "en": "The {brand} phone menu sent me round in circles for {minutes} minutes, never reached a person. From {place}{end}",
        "es": "El menú telefónico de {brand} me tuvo dando vueltas {minutes} minutos sin hablar con nadie. Desde {place}{end}",
        "fr": "Le serveur vocal de {brand} m'a fait tourner en rond {minutes} minutes sans conseiller. Depuis {place}{end}",
        "de": "Das Sprachmenü von {brand} hat mich {minutes} Minuten im Kreis geschickt, nie einen Menschen erreicht. Aus {place}{end}",
        "pt": "O menu telefónico da {brand} pôs-me às voltas {minutes} minutos sem falar com ninguém. De {place}{end}",
        "it": "Il risponditore automatico di {brand} mi ha fatto girare {minutes} minuti senza un operatore. Da {place}{end}",
        "nl": "Het keuzemenu van {brand} liet me {minutes} minuten rondjes draaien, nooit een mens gesproken. Vanuit {place}{end}",
        "ar": "قائمة الرد الآلي في {brand} جعلتني أدور {minutes} دقيقة دون الوصول إلى موظف. من {place}{end}",
    }),
    Situation("roaming", "negative", 0.7, {
        "en": "Roaming charge of {amount} for one day away from {place}? {brand} told me it was included{end}",
        "es": "¿Un cargo de roaming de {amount} por un día fuera de {place}? {brand} me dijo que estaba incluido{end}",
        "fr": "Des frais d'itinérance de {amount} pour une journée loin de {place} ? {brand} m'avait dit que c'était inclus{end}",
        "de": "Roaming-Gebühr von {amount} für einen Tag weg von {place}? {brand} hat gesagt, das sei inklusive{end}",
        "pt": "Taxa de roaming de {amount} por um dia fora de {place}? A {brand} disse que estava incluído{end}",
        "it": "Costo di roaming di {amount} per un giorno fuori {place}? {brand} mi aveva detto che era incluso{end}",
        "nl": "Roamingkosten van {amount} voor één dag weg uit {place}? {brand} zei dat het inbegrepen was{end}",
        "ar": "رسوم تجوال {amount} ليوم واحد خارج {place}؟ قالت {brand} إنها مشمولة{end}",
    }),
    Situation("app_logout", "negative", 0.8, {
        "en": "The {brand} app logs me out every time I open it on my {device}. Tried reinstalling in {place} and at home{end}",
        "es": "La app de {brand} me cierra la sesión cada vez que la abro en mi {device}. Reinstalada en {place} y en casa{end}",
        "fr": "L'appli {brand} me déconnecte à chaque ouverture sur mon {device}. Réinstallée à {place} et à la maison{end}",
        "de": "Die {brand}-App meldet mich auf dem {device} jedes Mal ab. Neu installiert in {place} und zu Hause{end}",
        "pt": "A app da {brand} termina a sessão sempre que abro no {device}. Reinstalei em {place} e em casa{end}",
        "it": "L'app di {brand} mi disconnette ogni volta sul {device}. Reinstallata a {place} e a casa{end}",
        "nl": "De {brand}-app logt me elke keer uit op mijn {device}. Opnieuw geïnstalleerd in {place} en thuis{end}",
        "ar": "تطبيق {brand} يسجل خروجي كل مرة على {device}. أعدت التثبيت في {place} وفي البيت{end}",
    }),
    Situation("esim_question", "neutral", 0.8, {
        "en": "How do I move my eSIM to a new {device}, {brand}? The store in {place} wasn't sure{end}",
        "es": "¿Cómo paso mi eSIM a un {device} nuevo, {brand}? En la tienda de {place} no lo sabían{end}",
        "fr": "Comment transférer mon eSIM sur un nouveau {device}, {brand} ? La boutique de {place} ne savait pas{end}",
        "de": "Wie übertrage ich meine eSIM auf ein neues {device}, {brand}? Der Shop in {place} wusste es nicht{end}",
        "pt": "Como passo a minha eSIM para um {device} novo, {brand}? Na loja de {place} não sabiam{end}",
        "it": "Come sposto la mia eSIM su un nuovo {device}, {brand}? Al negozio di {place} non lo sapevano{end}",
        "nl": "Hoe zet ik mijn eSIM over naar een nieuwe {device}, {brand}? De winkel in {place} wist het niet{end}",
        "ar": "كيف أنقل شريحة eSIM إلى {device} جديد يا {brand}؟ فرع {place} لم يعرف{end}",
    }),
    Situation("porting_question", "neutral", 0.7, {
        "en": "Moving to {brand} from another network in {place}: how many days does porting my number take?{end}",
        "es": "Me paso a {brand} desde otra compañía en {place}: ¿cuántos días tarda la portabilidad del número?{end}",
        "fr": "Je passe chez {brand} depuis un autre opérateur à {place} : combien de jours pour porter mon numéro ?{end}",
        "de": "Ich wechsle in {place} zu {brand}: wie viele Tage dauert die Rufnummernmitnahme?{end}",
        "pt": "Vou mudar para a {brand} em {place}: quantos dias demora a portabilidade do número?{end}",
        "it": "Passo a {brand} da un altro operatore a {place}: quanti giorni per la portabilità del numero?{end}",
        "nl": "Ik stap in {place} over naar {brand}: hoeveel dagen duurt het nummerbehoud?{end}",
        "ar": "سأنتقل إلى {brand} في {place}، كم يوما يستغرق نقل رقمي؟{end}",
    }),
    Situation("agent_praise", "positive", 1.0, {
        "en": "{agent} at the {brand} store in {place} set up my {device} in {minutes} minutes. Brilliant service{end}",
        "es": "{agent}, de la tienda de {brand} en {place}, me configuró el {device} en {minutes} minutos. Atención excelente{end}",
        "fr": "{agent}, à la boutique {brand} de {place}, a configuré mon {device} en {minutes} minutes. Service au top{end}",
        "de": "{agent} im {brand}-Shop in {place} hat mein {device} in {minutes} Minuten eingerichtet. Super Service{end}",
        "pt": "{agent}, da loja {brand} em {place}, configurou o meu {device} em {minutes} minutos. Atendimento excelente{end}",
        "it": "{agent} al negozio {brand} di {place} mi ha configurato il {device} in {minutes} minuti. Servizio ottimo{end}",
        "nl": "{agent} in de {brand}-winkel in {place} had mijn {device} in {minutes} minuten klaar. Top geholpen{end}",
        "ar": "{agent} في فرع {brand} في {place} جهز هاتفي {device} في {minutes} دقيقة. خدمة ممتازة{end}",
    }),
    Situation("network_praise", "positive", 0.8, {
        "en": "5G in {place} is flying today, {brand}. A film downloaded on my {device} in under a minute{end}",
        "es": "El 5G en {place} va volando hoy, {brand}. Una peli descargada en mi {device} en menos de un minuto{end}",
        "fr": "La 5G à {place} est ultra rapide aujourd'hui, {brand}. Un film téléchargé sur mon {device} en une minute{end}",
        "de": "5G in {place} ist heute richtig schnell, {brand}. Ein Film in unter einer Minute auf dem {device}{end}",
        "pt": "O 5G em {place} está rapidíssimo hoje, {brand}. Um filme no meu {device} em menos de um minuto{end}",
        "it": "Il 5G a {place} oggi vola, {brand}. Un film scaricato sul {device} in meno di un minuto{end}",
        "nl": "5G in {place} is vandaag razendsnel, {brand}. Een film op mijn {device} in minder dan een minuut{end}",
        "ar": "شبكة 5G في {place} سريعة جدا اليوم يا {brand}، فيلم كامل على {device} في أقل من دقيقة{end}",
    }),
    Situation("price_rise", "negative", 0.7, {
        "en": "Another price rise from {brand}: {amount} more a month for the same plan. Looking at other networks in {place}{end}",
        "es": "Otra subida de precio de {brand}: {amount} más al mes por la misma tarifa. Mirando otras compañías en {place}{end}",
        "fr": "Encore une hausse de prix chez {brand} : {amount} de plus par mois pour le même forfait. Je regarde ailleurs à {place}{end}",
        "de": "Schon wieder eine Preiserhöhung bei {brand}: {amount} mehr im Monat für denselben Tarif. Ich schaue mich in {place} um{end}",
        "pt": "Mais um aumento de preço da {brand}: {amount} a mais por mês pelo mesmo tarifário. A ver outras em {place}{end}",
        "it": "Ennesimo aumento di {brand}: {amount} in più al mese per la stessa offerta. Guardo altri operatori a {place}{end}",
        "nl": "Weer een prijsverhoging van {brand}: {amount} per maand meer voor hetzelfde abonnement. Ik kijk verder in {place}{end}",
        "ar": "زيادة جديدة في الأسعار من {brand}: {amount} أكثر شهريا لنفس الباقة. أبحث عن شركة أخرى في {place}{end}",
    }),
    Situation("competitor_offer", "neutral", 0.6, {
        "en": "Bluepeak has a {amount} a month SIM-only deal in {place}. Anyone tried their coverage?{end}",
        "es": "Bluepeak tiene una tarifa solo SIM a {amount} al mes en {place}. ¿Alguien ha probado su cobertura?{end}",
        "fr": "Bluepeak propose un forfait sans engagement à {amount} par mois à {place}. Quelqu'un a testé leur réseau ?{end}",
        "de": "Bluepeak hat in {place} einen SIM-only-Tarif für {amount} im Monat. Hat jemand das Netz getestet?{end}",
        "pt": "A Bluepeak tem um tarifário só SIM a {amount} por mês em {place}. Alguém testou a rede?{end}",
        "it": "Bluepeak ha un'offerta solo SIM a {amount} al mese a {place}. Qualcuno ha provato la copertura?{end}",
        "nl": "Bluepeak heeft een sim-only voor {amount} per maand in {place}. Iemand hun dekking geprobeerd?{end}",
        "ar": "Bluepeak لديها باقة شريحة فقط بسعر {amount} شهريا في {place}. هل جرب أحد تغطيتها؟{end}",
    }, competitor="Bluepeak", surveys=False),
)  # fmt: skip


def _stable_int(*parts: object) -> int:
    """A seed from text, the same in every process (Python's hash() is salted per process)."""
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _slots(template: str) -> tuple[str, ...]:
    return tuple(sorted({name for _, name, _, _ in string.Formatter().parse(template) if name}))


def _slot_values(situation: Situation, language: str, part: str) -> dict[str, tuple[str, ...]]:
    money = CURRENCY.get(language, "{n} €")
    return {
        "brand": BRAND_WORDS[part],
        "place": PLACES[language],
        "amount": tuple(money.format(n=n) for n in AMOUNTS),
        "minutes": MINUTES,
        "device": DEVICES,
        "agent": AGENTS,
        "end": ENDINGS[situation.tone],
    }


@dataclass(frozen=True)
class Family:
    """All texts one situation can take in one language for one part, numbered 0..size-1."""

    situation: Situation
    language: str
    part: str

    @property
    def key(self) -> str:
        return f"{self.situation.key}/{self.language}"

    @property
    def template(self) -> str:
        return self.situation.templates[self.language]

    @property
    def size(self) -> int:
        values = _slot_values(self.situation, self.language, self.part)
        return math.prod(len(values[name]) for name in _slots(self.template))

    def text(self, number: int) -> str:
        """The `number`-th text of the family's shuffled order (distinct numbers, distinct texts)."""
        size = self.size
        step = _coprime_step(size, _stable_int(SEED, self.key, "step"))
        position = (number * step + _stable_int(SEED, self.key, "shift")) % size
        values = _slot_values(self.situation, self.language, self.part)
        chosen: dict[str, str] = {}
        for name in _slots(self.template):  # mixed radix: one digit per slot
            position, digit = divmod(position, len(values[name]))
            chosen[name] = values[name][digit]
        return self.template.format(**chosen)


def _coprime_step(size: int, salt: int) -> int:
    """A multiplier coprime with `size`, so number -> number*step mod size is a permutation."""
    step = salt % size or 1
    while math.gcd(step, size) != 1:
        step += 1
    return step


@cache
def families(part: str) -> tuple[Family, ...]:
    return tuple(
        Family(situation, language, part)
        for situation in SITUATIONS
        if part == "social" or situation.surveys
        for language in LANGUAGES
    )


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only (an hour of the demo holds a handful of items)."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def expected_per_hour(hour: datetime, part: str) -> float:
    """The mean number of items in this UTC hour: the hourly profile, lower at weekends."""
    profile = MENTIONS_PER_HOUR if part == "social" else SURVEYS_PER_HOUR
    scale = WEEKEND_SCALE if hour.weekday() >= 5 else 1.0
    return profile[hour.hour] * scale


@dataclass(frozen=True)
class Planned:
    """An item planned in an hour: when, and which family and details; its text comes at emission."""

    posted_at: datetime
    family: Family
    rng_seed: int


def plan_hour(hour: datetime, part: str) -> list[Planned]:
    """The items of one UTC hour, the same on every call (seeded by the part and the hour)."""
    rng = random.Random(_stable_int(SEED, part, hour.isoformat()))
    count = _poisson(rng, expected_per_hour(hour, part))
    choices = families(part)
    weights = [f.situation.weight * LANGUAGE_WEIGHTS[LANGUAGES.index(f.language)] for f in choices]
    planned = [
        Planned(
            hour + timedelta(seconds=rng.randrange(3600)),
            rng.choices(choices, weights)[0],
            rng.getrandbits(48),
        )
        for _ in range(count)
    ]
    return sorted(planned, key=lambda p: p.posted_at)


def hours_between(start: datetime, end: datetime) -> Iterator[datetime]:
    """The UTC hours that overlap [start, end)."""
    hour = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    while hour < end:
        yield hour
        hour += timedelta(hours=1)


class Generator:
    """Writes one part's items for a time window; `counters` (kept in the cursor) make texts unique."""

    def __init__(self, part: str, counters: dict[str, int] | None = None) -> None:
        self.part = part
        self.counters: dict[str, int] = dict(counters or {})

    def between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Entries (scenario-shaped dicts) posted in [start, end), in time order."""
        out = []
        for hour in hours_between(start, end):
            for planned in plan_hour(hour, self.part):
                if start <= planned.posted_at < end:
                    entry = self._entry(planned)
                    if entry is not None:
                        out.append(entry)
        return out

    def _next_number(self, family: Family) -> tuple[Family, int] | None:
        """The family's next unused number, or the next family with room once it has used them all."""
        ring = families(self.part)
        start = ring.index(family)
        for step in range(len(ring)):
            candidate = ring[(start + step) % len(ring)]
            used = self.counters.get(candidate.key, 0)
            if used < candidate.size:
                self.counters[candidate.key] = used + 1
                return candidate, used
        return None  # every text has been used: say nothing rather than repeat

    def _entry(self, planned: Planned) -> dict[str, Any] | None:
        taken = self._next_number(planned.family)
        if taken is None:
            return None
        family, number = taken
        rng = random.Random(planned.rng_seed)
        serial = sum(self.counters.values())
        situation = family.situation
        entry: dict[str, Any] = {
            "id": f"g-{self.part}-{serial:07d}",
            "kind": "mention" if self.part == "social" else "survey",
            "language": family.language,
            "tone": situation.tone,
            "text": family.text(number),
            "posted_at": planned.posted_at,
            "situation": situation.key,
        }
        if situation.competitor:
            entry["brand"] = situation.competitor
        if self.part == "social":
            channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
            handle = f"{rng.choice(FIRST_NAMES)}{rng.choice(LAST_PARTS)}{rng.randrange(10, 100)}"
            entry.update(
                channel=channel,
                author=f"@{handle}",
                author_followers=min(int(rng.lognormvariate(5.5, 1.3)), 250_000),
                link=_link(channel, handle, serial, rng),
            )
        else:
            survey = rng.choice(SURVEYS)
            entry.update(
                channel="survey",
                survey=survey,
                response_id=f"G_{serial:07d}",
                respondent=f"{rng.choice(FIRST_NAMES)}.{serial}@example.org",
            )
            entry.update(_score(survey, situation.tone, rng))
        return entry


def _link(channel: str, handle: str, serial: int, rng: random.Random) -> str:
    if channel == "x":
        return f"https://x.com/{handle}/status/{1_900_000_000_000_000_000 + serial * 7919 + rng.randrange(7919)}"
    return f"https://www.{channel}.com/demo/{handle}/{serial:07d}"


def _score(survey: str, tone: str, rng: random.Random) -> dict[str, int]:
    if survey == "Quarterly NPS":
        low, high = {"negative": (0, 5), "neutral": (6, 8), "positive": (9, 10)}[tone]
        return {"nps": rng.randint(low, high)}
    low, high = {"negative": (1, 2), "neutral": (3, 3), "positive": (4, 5)}[tone]
    return {"csat": rng.randint(low, high)}
