"""Collaborative Data Dashboard: entry point (``streamlit run app.py``).

Sets up the page, builds the database on first start, draws the shared filter bar
(bound to the URL) and routes to the pages in ``pages/``.
"""

import streamlit as st

from collab_data import runtime, ui

st.set_page_config(page_title="Collaborative Data Dashboard", page_icon="🌍", layout="wide")

runtime.database()  # builds the database on first start, with a progress bar
runtime.keep_warm()  # new data (or a new server): the views people open are worked out in the background

PAGES = {
    "Collaboration": [
        st.Page("pages/overview.py", title="Overview", icon="🏠", default=True),
        st.Page("pages/kpis.py", title="KPIs & targets", icon="🎯", url_path="kpis"),
        st.Page("pages/partners.py", title="Partners & tools", icon="🧰", url_path="partners"),
        st.Page("pages/overlap.py", title="Overlap", icon="🔗", url_path="overlap"),
        st.Page("pages/network.py", title="Collaboration network", icon="🕸️", url_path="network"),
        st.Page("pages/activities.py", title="Activities", icon="📅", url_path="activities"),
        st.Page("pages/manage.py", title="Manage records", icon="✏️", url_path="manage"),
    ],
    "Countries & data": [
        st.Page("pages/countries.py", title="Countries", icon="🗺️", url_path="countries"),
        st.Page("pages/brief.py", title="Country brief", icon="📄", url_path="brief"),
        st.Page("pages/gaps.py", title="Data gaps", icon="📉", url_path="gaps"),
    ],
    "Present": [
        st.Page("pages/meeting.py", title="Meeting mode", icon="🎬", url_path="meeting"),
    ],
}

page = st.navigation(PAGES)
ui.filter_bar()
page.run()
