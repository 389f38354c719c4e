"""Sentiment: the scorers (VADER, lexicons, the learned multilingual model, the optional
transformer), training and evaluation, the listener-side worker that re-scores, the review queue
the inbox shows, and the `sentiment` command line. The lexicons, training set and built-in model
live in `data/`.

It must not know about the inbox's workflow, the sources or the UI. Domain package: no
Streamlit; heavy libraries (fastText, scikit-learn, torch) load lazily on first use.
"""
