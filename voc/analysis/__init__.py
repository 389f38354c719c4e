"""Text analysis applied to every item before storage: redaction, language, sentiment.

Domain package: it must never import Streamlit. The heavy pieces (fastText model, VADER
lexicon, the sentence-embedding model, scikit-learn) load lazily on first use, so importing this
package is cheap.
"""

from voc.analysis.language import UNDETERMINED, detect_language
from voc.analysis.pipeline import Analysis, analyse, analyse_batch, analyse_many, set_default_scorer
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
    "analyse_batch",
    "analyse_many",
    "detect_language",
    "redact",
    "set_default_scorer",
]
