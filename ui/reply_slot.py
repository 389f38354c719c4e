"""Where the reply box goes in the Inbox's item workspace.

For now it offers the way to answer that always exists: the original post on its network. The
replying feature (`ui.replies`) takes this slot over at merge, keeping the signature.
Streamlit-aware.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from ui import inert


def reply_section(item: Mapping[str, Any], on_change: Callable[[], None]) -> None:
    """The reply area of one item; `on_change` is called after anything that changes the item
    (a reply posted, say), so the workspace can re-read it."""
    del on_change  # nothing here changes the item yet
    link = inert.web_link(item.get("link"))
    if link:
        st.link_button("Open the original", link, icon=":material/open_in_new:")
    else:
        st.caption("This source gives no link to the original.")
