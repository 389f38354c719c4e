"""Surveys: call back the very unhappy within two hours, read NPS and CSAT, import survey exports."""

import streamlit as st

from ui import data, widgets
from ui import surveys as ui

widgets.ensure_frame()
st.title("Surveys")
widgets.show_flash()
now, tz = data.utcnow(), data.viewer_timezone()
section = widgets.section(ui.SECTIONS)

if section == "Recovery":
    st.caption("Very unhappy respondents (NPS 0–6 with a negative comment, CSAT 1–2, or an urgent word) wait here.")
    ui.recovery_list(now, tz)
    ui.recovery_history(tz)
    st.stop()

if section == "Scores":
    ui.scores(ui.score_filters(now, tz))
    st.stop()

uploaded = st.file_uploader(
    "Survey export",
    type=["csv", "tsv", "txt", "xlsx"],
    key="survey_upload",
    help="Qualtrics, SurveyMonkey, Typeform and Google Forms exports are recognised; any other table needs its columns chosen once",
)
if uploaded is not None:
    survey = ui.survey_name(uploaded)
    found = ui.file_preview(uploaded, survey)
    if found is not None:
        mapping = ui.mapping_editor(found, key=f"mapping.{uploaded.file_id}.{survey}")
        if mapping is not None:
            ui.read_as(found, mapping)
        if st.button("Import", type="primary", disabled=mapping is None or not survey, icon=":material/upload:"):
            assert mapping is not None
            ui.run_import(uploaded, survey, mapping)
ui.import_summary()
ui.import_log(tz)
