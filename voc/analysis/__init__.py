"""Text analysis applied to every item before storage: redaction (with `pii/`), language,
embeddings, and the pipeline that runs them and the workspace's sentiment scorer in one pass.

It owns no data of its own and must not know about the inbox, the sources or the UI; the
sentiment scorers themselves live in `voc.sentiment`. Domain package: it must never import
Streamlit. The heavy pieces (fastText model, the sentence-embedding model) load lazily on first
use, so importing this package is cheap.
"""

from voc.analysis.language import UNDETERMINED, detect_language
from voc.analysis.pipeline import Analysis, analyse, analyse_batch, analyse_many, set_default_scorer
from voc.analysis.redaction import Redacted, redact

__all__ = [
    "UNDETERMINED",
    "Analysis",
    "Redacted",
    "analyse",
    "analyse_batch",
    "analyse_many",
    "detect_language",
    "redact",
    "set_default_scorer",
]
