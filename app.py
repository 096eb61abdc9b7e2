"""Collaborative Data Dashboard: entry point (``streamlit run app.py``)."""

import streamlit as st

from collab_data import runtime

st.set_page_config(page_title="Collaborative Data Dashboard", page_icon="🌍", layout="wide")

db = runtime.database()
st.title("Collaborative Data Dashboard")
st.caption(f"Database: {runtime.database_path().name}")
counts = db.table_counts()
st.dataframe(
    {"table": list(counts), "rows": list(counts.values())},
    hide_index=True,
)
