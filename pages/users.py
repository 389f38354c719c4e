"""Users: who gets which role when they sign in, by e-mail address or by whole domain (admins only)."""

import streamlit as st

from ui import data, widgets
from ui import users as ui

widgets.ensure_frame()
st.title("Users")
widgets.show_flash()
first_admin = data.settings().first_admin
st.caption(
    "Roles follow the address people sign in with, and an exact address beats its domain: with "
    "`vera@northwind.example` → viewer and `@northwind.example` → agent, Vera is a viewer and her "
    "colleagues are agents. Someone who matches nothing can sign in but sees no data. "
    "Every change is recorded in the Audit log."
)
ui.mode_notes(first_admin)

assignments = ui.assignments()
roles = ui.role_frame(assignments, first_admin, data.viewer_timezone())
if roles.empty:
    st.info(
        "No role given yet: in team mode, whoever signs in sees no data until an address or their domain "
        "gets a role below.",
        icon=":material/group_add:",
    )
else:
    st.dataframe(roles, column_config=ui.TABLE_COLUMNS, hide_index=True)
change_col, remove_col = st.columns(2)
with change_col:
    change = ui.role_form(first_admin)
    if change is not None and not ui.asks_before_demoting_myself(change, assignments, first_admin):
        ui.save_role(*change)
with remove_col:
    removal = ui.remove_form(assignments)
    if removal is not None and not ui.asks_before_demoting_myself((removal, None), assignments, first_admin):
        ui.remove_role(removal)
confirmed = ui.confirm_own_demotion(assignments, first_admin)
if confirmed is not None:
    principal, role = confirmed
    ui.save_role(principal, role) if role else ui.remove_role(principal)

st.subheader("Who gets what")
ui.role_check(assignments, first_admin)
