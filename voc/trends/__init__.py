"""Trends: volume, sentiment, language, channel and share-of-voice queries, and spike detection.

Read-only over stored items; it must not write anything nor know about the inbox's workflow.
Domain package: no Streamlit.
"""
