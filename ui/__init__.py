"""The Streamlit-aware layer: cached data access and widgets shared by the pages.

Only `app.py`, `pages/` and this package import Streamlit; the domain (`voc/`) and the listeners
never do.
"""
