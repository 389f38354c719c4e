"""Sources: the forms that add and edit them, their costs and coverage gaps, their health as the
Sources page shows it, and ingest (turning fetched entries into stored items, once each).

It must not know about any one listener's protocol (that is `listeners/`) nor about what happens
to an item after it is stored (`voc.inbox`). Domain package: no Streamlit.
"""
