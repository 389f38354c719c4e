"""Text normalisation shared by the rules engine and the labels: fold case and accents, split words.

Rules and texts go through the same `normalise`, so "Reembolsó", "reembolso" and "REEMBOLSO" are one
word to a rule, and German "ß" matches "ss". Stop words (function words plus the filler customers
write in every language: "please", "hola", "bonjour") are kept out of discovery labels.

Domain module: no Streamlit.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

WORD_RE: Final = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_URL_HANDLE_RE: Final = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+|\[[a-z_]+\]", re.IGNORECASE)


def normalise(text: str) -> str:
    """Casefolded, accent-free text: what rules and labels compare."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The normalised words of `text`; links, @handles, #tags and redaction marks left out."""
    return WORD_RE.findall(normalise(_URL_HANDLE_RE.sub(" ", text)))


_STOP: Final = {
    "en": """a about above after again against all am an and any are aren't as at be because been before being
        below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
        each few for from further get got had hadn't has hasn't have haven't having he her here hers herself him
        himself his how i i'm i've if in into is isn't it it's its itself just let's me more most my myself no nor
        not now of off on once only or other our ours ourselves out over own same she should so some such than that
        that's the their theirs them themselves then there these they they're this those through to too under until
        up very was wasn't we we're were what when where which while who whom why will with won't would you you're
        your yours yourself yourselves im dont cant ive u ur lol still even also really one two three yet
        want need help know please hi hello thanks thank tell ask wanna gonna like would could""",
    "es": """a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante e el ella
        ellas ellos en entre era eras es esa esas ese eso esos esta estaba estado estais estamos estan estar este
        esto estos estoy fue fueron fui ha habia han has hasta hay la las le les lo los mas me mi mis mucho muy nada
        ni no nos nosotros o os otra otro para pero poco por porque que quien se sea ser si sin sobre son su sus
        tambien te tengo ti tiene tienen todo todos tu tus un una uno unos usted y ya yo hola gracias por favor
        ayer hoy""",
    "fr": """a ai aie au aux avec avez avons c ce ceci cela ces cet cette d dans de des du elle elles en est et
        etais etait ete etre eu il ils j je l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre
        nous on ont ou par pas plus pour qu que qui s sa sans se ses si son sont sur t ta te tes toi ton tres tu un
        une vos votre vous y ca c'est j'ai n'est qu'il bonjour merci svp toujours encore deja aujourd'hui hier""",
    "de": """aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dein deine dem den der
        des die dies diese dieser doch dort du durch ein eine einem einen einer eines er es etwas euch euer fur
        gegen hab habe haben hat hatte ich ihm ihn ihr ihre im in ist ja jetzt kann kein keine mal man mein meine
        mich mir mit nach nicht noch nun nur ob oder ohne schon sehr sein seine sich sie sind so uber um und uns
        unser vom von vor war waren warum was weil wenn wer wie wieder wir wird wo zu zum zur hallo danke bitte
        heute gestern immer""",
    "pt": """a ao aos as ate com como da das de dela dele do dos e ela ele eles em entre era esta estao estava este
        eu foi ha isso isto ja la lhe mais mas me mesmo meu minha muito na nao nas nem no nos o os ou para pela
        pelo por porque qual quando que quem se sem ser seu sua suas tambem te tem tenho toda todo tu um uma voce
        vou ola obrigado obrigada por favor hoje ontem sempre ainda""",
    "it": """a ad al alla alle allo anche che chi ci come con da dal dalla dei del della delle di e ed era gli ha
        hanno ho i il in io la le lei li lo loro lui ma mi mia mio molto ne nei nel nella noi non o per perche piu
        poi quale quando quello questa questo se sei si sia sono su sua sue suo sul sulla ti tra tu tutto un una
        uno vi voi ciao grazie oggi ieri sempre ancora gia""",
    "nl": """aan al als ben bij dan dat de der deze die dit doch door een en er ge geen haar had heb heeft hem het
        hier hij hoe hun ik in is ja je jij kan kon maar me men met mij mijn na naar niet niets nog nu of om omdat
        ons ook op over te tegen toch tot u uit van veel voor want was wat we wel werd wie wij wil worden zal ze
        zei zich zij zijn zo zou hallo bedankt dank vandaag gisteren altijd weer""",
}
STOP_WORDS: Final[dict[str, frozenset[str]]] = {
    language: frozenset(normalise(word) for word in block.split()) for language, block in _STOP.items()
}
ANY_STOP_WORDS: Final = frozenset().union(*STOP_WORDS.values())


def stop_words(language: str) -> frozenset[str]:
    """Stop words for `language`; every known language's for a language without a list."""
    return STOP_WORDS.get(language, ANY_STOP_WORDS)
