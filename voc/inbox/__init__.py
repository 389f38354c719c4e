"""The care inbox: the queue agents work through, triage (status, owner, notes), priority, SLA
clocks, care settings, team metrics and duplicate grouping.

Owns what an agent does to an item after it is stored. It must not know how items arrive (that
is `voc.sources` and the listeners) nor how sentiment is scored (`voc.sentiment`); it reads the
stored labels. Domain package: no Streamlit.
"""
