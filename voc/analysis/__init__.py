"""Text analysis applied to every item before storage: redaction, language, sentiment.

Domain package: it must never import Streamlit. The heavy pieces (fastText model, VADER
lexicon) load lazily on first use, so importing this package is cheap.
"""

from voc.analysis.language import UNDETERMINED, detect_language
from voc.analysis.pipeline import Analysis, analyse, analyse_many
from voc.analysis.redaction import Redacted, redact
from voc.analysis.sentiment import Sentiment, SentimentLabel, SentimentScorer, VaderScorer

__all__ = [
    "UNDETERMINED",
    "Analysis",
    "Redacted",
    "Sentiment",
    "SentimentLabel",
    "SentimentScorer",
    "VaderScorer",
    "analyse",
    "analyse_many",
    "detect_language",
    "redact",
]
