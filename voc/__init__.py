"""Customer-voice domain: settings, store, analysis, triage and trends.

Domain only: nothing in this package may import Streamlit (a test keeps the boundary honest).
"""
