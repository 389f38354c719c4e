"""Care language the scorers misread: ironic praise of a failure, and praise for a fix or for years of service.

"Wow, just wow. Charged twice again. Amazing work Northwind 👏" is full of praise words, so both
the lexicons and the learned models read it as delight; "refunded me within a day… fair play"
and "solid for me for 8 years" have no praise word they know, or one that sounds like a
complaint ("refund"). Customer-care posts say these things often, in every language, and getting
them wrong puts a happy customer in the complaint queue or hides an angry one.

So, after any scorer, one pass over the text with cues the team wrote per language (English cues
count everywhere, since posts borrow them):

- **irony**: praise ("amazing work", "bravo", "chapeau", "toll gemacht", 👏, 🙄 …) together with a
  service failure ("charged twice", "no signal", "sin señal", "doppelt abgebucht" …) and no fix
  → negative, at `IRONY_CONFIDENCE`;
- **praise for a rival**: leaving for another provider ("switched to", "me cambié a", "gewechselt"
  …) with praise → negative for us, at `CHURN_CONFIDENCE`;
- **praise for a fix or for loyalty**: a fix ("refunded", "sorted", "remboursé", "erstattet" …)
  with approval ("fair play", "thanks", "merci", "danke" …), or approval with years of service
  ("solid … for 8 years") and no failure → positive, at `PRAISE_CONFIDENCE`, when the scorer said
  otherwise.

The confidences are deliberately modest: the cue decides the direction, not the certainty, and
an agent can still correct it. Nothing here was chosen by fitting to measurement data.

Domain module: no Streamlit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from typing import Final

from voc.sentiment.lexicon import normalise
from voc.sentiment.scoring import Sentiment, SentimentLabel

IRONY_CONFIDENCE: Final = 0.45
PRAISE_CONFIDENCE: Final = 0.4
CHURN_CONFIDENCE: Final = 0.35
IRONY_MARKS: Final[tuple[str, ...]] = ("👏", "🙄", "🙃", "😒", "🤡")


@dataclass(frozen=True)
class Cues:
    """One language's cues: ironic-praise phrases, failures, fixes, approval, years of service."""

    praise: tuple[str, ...]
    failure: tuple[str, ...]
    fix: tuple[str, ...]
    approval: tuple[str, ...]
    years: str  # a regular expression for "N years"
    churn: tuple[str, ...] = ()  # leaving for another provider: praise after it is for the rival


# A trailing * matches any ending ("refund*": refunded, refunds). Phrases match across punctuation.
CUES: Final[dict[str, Cues]] = {
    "en": Cues(
        praise=("amazing work", "amazing job", "great job", "great work", "good job", "well done", "nice one",
                "bravo", "brilliant", "amazing", "stellar", "outstanding", "top notch", "love paying",
                "love being", "love how", "love it when", "thanks for nothing", "just wow", "genius", "classic"),
        failure=("charged twice", "charged me twice", "double charged", "charged 2x", "overcharged",
                 "no signal", "no service", "no internet", "no wifi", "no connection", "still waiting",
                 "still no", "still not", "down again", "outage", "broke again", "broken", "cancelled my",
                 "canceled my", "lost my", "on hold", "no refund", "never arrived", "never came",
                 "doesn't work", "does not work", "didn't work", "not working", "crashed", "third time",
                 "3rd time", "for hours", "no reply", "no response"),
        fix=("refund*", "fixed", "fixing", "sorted", "resolved", "solved", "back up", "working again", "replaced",
             "credited", "reimbursed", "money back", "came back to me"),
        approval=("fair play", "kudos", "hats off", "props", "respect", "cheers", "thanks", "thank you",
                  "appreciate*", "solid", "reliable", "never let me down", "no complaints",
                  "never had a problem", "credit where", "good on", "spot on", "well done", "great job"),
        years=r"\d+\s*(?:years?|yrs?)",
        churn=("switched to", "switching to", "moved to", "went with", "left for", "changed provider*"),
    ),
    "es": Cues(
        praise=("buen trabajo", "bravo", "genial", "enhorabuena", "que maravilla", "me encanta pagar",
                "gracias por nada", "increible", "chapo", "ole", "felicidades"),
        failure=("cobrado dos veces", "cobraron dos veces", "doble cargo", "doble cobro", "sin senal",
                 "sin cobertura", "sin internet", "sin servicio", "sigo esperando", "caido otra vez",
                 "otra vez caido", "no funciona", "nunca llego", "cancelaron", "tercera vez", "horas esperando"),
        fix=("reembols*", "devolvieron", "solucionad*", "arreglad*", "resuelto", "resolvieron"),
        approval=("chapo", "ole", "gracias", "se agradece", "un diez", "de diez", "nunca me ha fallado",
                  "sin problemas", "solido", "fiable", "cumplen"),
        years=r"\d+\s*anos",
        churn=("me cambie a", "me pase a", "me fui a", "cambie de compania"),
    ),
    "fr": Cues(
        praise=("bravo", "chapeau", "bien joue", "super boulot", "genial", "merci pour rien", "j'adore payer",
                "trop fort", "magnifique", "felicitations"),
        failure=("debite deux fois", "preleve deux fois", "facture deux fois", "pas de reseau", "sans reseau",
                 "pas de connexion", "pas d'internet", "toujours en attente", "encore en panne", "en panne",
                 "ne marche pas", "ne fonctionne pas", "jamais recu", "jamais arrive", "troisieme fois",
                 "annule ma", "des heures"),
        fix=("rembours*", "regle", "resolu", "repare", "corrige"),
        approval=("chapeau", "bravo", "merci", "nickel", "au top", "jamais decu", "fiable", "solide",
                  "rien a dire", "respect"),
        years=r"\d+\s*ans",
        churn=("passe chez", "parti chez", "change pour", "change d'operateur"),
    ),
    "de": Cues(
        praise=("toll gemacht", "super arbeit", "gut gemacht", "bravo", "klasse", "danke fur nichts",
                "danke fuer nichts", "ich liebe es", "grossartig", "spitze", "respekt"),
        failure=("doppelt abgebucht", "zweimal abgebucht", "doppelt berechnet", "kein netz", "kein empfang",
                 "kein internet", "warte immer noch", "schon wieder", "wieder ausgefallen", "ausgefallen",
                 "funktioniert nicht", "geht nicht", "nie angekommen", "storniert", "zum dritten mal",
                 "stundenlang"),
        fix=("erstattet", "zuruckuberwiesen", "zurueckueberwiesen", "gelost", "geloest", "behoben",
             "repariert", "geld zuruck", "geld zurueck", "gutgeschrieben"),
        approval=("respekt", "daumen hoch", "danke", "top", "zuverlassig", "zuverlaessig", "solide",
                  "nie enttauscht", "ohne probleme", "klasse", "chapeau"),
        years=r"\d+\s*jahre?n?",
        churn=("gewechselt zu", "gewechselt", "wechsle zu"),
    ),
    "pt": Cues(
        praise=("parabens", "bom trabalho", "muito bem", "bravo", "incrivel", "obrigado por nada",
                "adoro pagar", "que maravilha", "show de bola"),
        failure=("cobrado duas vezes", "cobraram duas vezes", "cobranca dupla", "sem sinal", "sem rede",
                 "sem internet", "ainda esperando", "ainda a espera", "caiu de novo", "nao funciona",
                 "nunca chegou", "cancelaram", "terceira vez", "horas a espera"),
        fix=("reembols*", "devolveram", "resolvid*", "resolveram", "consertad*", "estornad*"),
        approval=("obrigad*", "nota 10", "valeu", "show", "confiavel", "solid*", "nunca me deixou na mao",
                  "sem problemas", "top", "parabens"),
        years=r"\d+\s*anos",
        churn=("mudei para", "troquei por", "fui para a"),
    ),
    "it": Cues(
        praise=("complimenti", "bravi", "bravo", "ottimo lavoro", "bel lavoro", "grazie di niente",
                "grazie per niente", "adoro pagare", "fantastico", "geniale"),
        failure=("addebitato due volte", "addebitati due volte", "doppio addebito", "senza segnale",
                 "niente segnale", "senza rete", "senza internet", "ancora in attesa", "di nuovo giu",
                 "non funziona", "mai arrivato", "annullato", "terza volta", "ore di attesa"),
        fix=("rimborsat*", "risolt*", "sistemat*", "riparat*"),
        approval=("grazie", "chapeau", "top", "affidabil*", "solid*", "mai un problema", "nessun problema",
                  "complimenti"),
        years=r"\d+\s*anni",
        churn=("passato a", "passata a", "cambiato operatore"),
    ),
    "nl": Cues(
        praise=("goed gedaan", "knap werk", "top werk", "bravo", "geweldig", "bedankt voor niets",
                "ik hou ervan", "fantastisch", "petje af"),
        failure=("dubbel afgeschreven", "twee keer afgeschreven", "dubbel betaald", "geen bereik",
                 "geen signaal", "geen internet", "wacht nog steeds", "weer storing", "storing", "werkt niet",
                 "nooit aangekomen", "geannuleerd", "derde keer", "uren in de wacht"),
        fix=("terugbetaald", "teruggestort", "opgelost", "gerepareerd", "gecrediteerd"),
        approval=("petje af", "chapeau", "bedankt", "dank", "top", "betrouwbaar", "solide", "nooit problemen",
                  "geen klachten"),
        years=r"\d+\s*jaar",
        churn=("overgestapt naar", "overgestapt"),
    ),
    "ar": Cues(
        praise=("برافو", "عمل رائع", "شغل ممتاز", "احسنتم", "شكرا على لا شيء", "ممتاز", "رائع", "يا سلام",
                "تسلم ايدكم"),
        failure=("خصم مرتين", "خصموا مرتين", "سحبوا مرتين", "مرتين", "بدون شبكه", "لا توجد شبكه", "مافي شبكه",
                 "ما في شبكه", "لسه مستني", "ما زلت انتظر", "مازلت انتظر", "انقطع", "لا يعمل", "ما يشتغل",
                 "مش شغال", "لم يصل", "ما وصل", "للمره الثالثه"),
        fix=("استرجعت", "رجعوا", "استرد*", "تم حل", "انحلت", "اصلحوا", "تم اصلاح"),
        approval=("شكرا", "يعطيكم العافيه", "تسلم", "موثوق", "ممتاز", "احسنتم"),
        years=r"\d+\s*(?:سنوات|سنه|سنين)",
        churn=("انتقلت الى", "انتقلت", "غيرت الى"),
    ),
    "hi": Cues(
        praise=("wah", "waah", "kya baat hai", "bahut badhiya", "shabash", "kamaal", "kamal"),
        failure=("do baar", "2 baar", "double charge", "network nahi", "signal nahi", "net nahi",
                 "abhi tak nahi", "phir se band", "phir se down", "kaam nahi", "nahi chal", "band hai",
                 "nahi aaya", "teesri baar"),
        fix=("refund mil*", "refund aa*", "paise wapas", "theek ho gaya", "thik ho gaya", "solve ho gaya",
             "fix ho gaya"),
        approval=("dhanyavaad", "dhanyawad", "shukriya", "badhiya", "mast", "bharosemand", "koi problem nahi",
                  "kabhi dikkat nahi"),
        years=r"\d+\s*(?:saal|sal)",
        churn=("switch kar", "shift ho gay*"),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class CareReading:
    """What the cues found in one text."""

    praise: tuple[str, ...]
    failure: tuple[str, ...]
    fix: tuple[str, ...]
    approval: tuple[str, ...]
    years: bool
    churn: tuple[str, ...] = ()

    @property
    def ironic(self) -> bool:
        return bool(self.praise and self.failure and not self.fix)

    @property
    def praises_service(self) -> bool:
        fixed = bool(self.fix and (self.approval or self.praise))
        loyal = bool(self.years and self.approval and not self.failure)
        return fixed or loyal


def _pattern(cue: str) -> str:
    stem = cue.endswith("*")
    words = [re.escape(w) for w in cue.rstrip("*").split()]
    body = r"[\W_]+".join(words)
    return r"(?<![^\W_])" + body + (r"\w*" if stem else r"(?![^\W_])")


@functools.cache
def _compiled(language: str) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    cues = CUES[language]
    return {
        kind: [(cue.rstrip("*"), re.compile(_pattern(normalise(cue, language)))) for cue in getattr(cues, kind)]
        for kind in ("churn", "praise", "failure", "fix", "approval")
    }


def read_care(text: str, language: str) -> CareReading:
    """The care cues in `text`: its language's and English's (posts borrow English)."""
    found: dict[str, list[str]] = {"churn": [], "praise": [], "failure": [], "fix": [], "approval": []}
    languages = ["en"] + ([language] if language in CUES and language != "en" else [])
    years = False
    for code in languages:
        folded = normalise(text, code)
        # In this order, each match blanked out before the next kind is looked for: "no refund" is
        # a failure, not a fix; "thanks for nothing" is ironic praise, not thanks.
        for kind in ("churn", "failure", "praise", "fix", "approval"):
            spans = []
            for cue, pattern in _compiled(code)[kind]:
                match = pattern.search(folded)
                if match is not None:
                    spans.append(match.span())
                    if cue not in found[kind]:
                        found[kind].append(cue)
            for start, end in spans:  # all of a kind's matches first, then blanked together
                folded = folded[:start] + " " * (end - start) + folded[end:]
        years = years or re.search(CUES[code].years, folded) is not None
    marks = [m for m in IRONY_MARKS if m in text]
    return CareReading(
        tuple(found["praise"] + marks),
        tuple(found["failure"]),
        tuple(found["fix"]),
        tuple(found["approval"]),
        years,
        tuple(found["churn"]),
    )


def adjust(sentiment: Sentiment, text: str, language: str) -> Sentiment:
    """`sentiment` corrected for irony or for praise of a fix or of years of service (module docstring)."""
    if not text:
        return sentiment
    reading = read_care(text, language)
    if reading.ironic and sentiment.label is not SentimentLabel.NEGATIVE:
        return replace(
            sentiment,
            label=SentimentLabel.NEGATIVE,
            score=-abs(sentiment.score) or -0.5,
            confidence=min(IRONY_CONFIDENCE, max(sentiment.confidence, 0.35)),
            reasons=(reading.failure + reading.praise)[:5],
        )
    praised = reading.praise or reading.approval or sentiment.label is SentimentLabel.POSITIVE
    if reading.churn and praised and sentiment.label is not SentimentLabel.NEGATIVE:
        return replace(
            sentiment,
            label=SentimentLabel.NEGATIVE,
            score=-abs(sentiment.score) or -0.4,
            confidence=CHURN_CONFIDENCE,
            reasons=(reading.churn + reading.praise + reading.approval)[:5],
        )
    if reading.praises_service and not reading.ironic and sentiment.label is not SentimentLabel.POSITIVE:
        return replace(
            sentiment,
            label=SentimentLabel.POSITIVE,
            score=abs(sentiment.score) or 0.4,
            confidence=PRAISE_CONFIDENCE,
            reasons=(reading.fix + reading.approval)[:5],
        )
    return sentiment
