"""Draws "my partner's lens" (a :class:`~collab_data.views.lens.LensView`) on a page.

A Streamlit building block like :mod:`collab_data.ui`: no SQL, no logic of its own; the
view says what to show. Overview draws the short form, Overlap and Countries the full one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from collab_data import ui
from collab_data.filters import URL_KEYS, Filters
from collab_data.runtime import cached
from collab_data.views import lens as VL


def _table(frame: pd.DataFrame, *, key: str, f: Filters, title: str, file_stem: str, widths: dict | None = None,
           note: str | None = None) -> None:
    config = {c: st.column_config.TextColumn(width=w) for c, w in (widths or {}).items()}
    st.dataframe(frame, placeholder="—", hide_index=True, width="stretch", height=min(38 + 35 * len(frame), 420),
                 column_config=config)
    ui.download(frame, label="Download (CSV)", file_stem=file_stem, title=title, f=f, key=key, note=note)


def render(f: Filters, *, key: str, short: bool = False) -> VL.LensView:
    """The lens of ``f.lens`` (nothing without one); ``short``: the figures and the ranking only."""
    view = cached(VL.lens_view, f)
    if view.status == "off":
        return view
    name = view.partner
    st.header(f"👁 My partner: {name}", divider="gray", anchor="my-partner")
    if not view.ok:
        what, how = view.empty
        ui.empty_state(what, how)
        return view
    st.markdown(ui.escape(view.headline))
    cols = st.columns(len(view.figures))
    for col, (label, value, help_text) in zip(cols, view.figures):
        col.metric(label, value, border=True, help=help_text)
    stem = f"my_partner_{view.partner_id}"
    if short:
        st.markdown(f"**Partners {ui.escape(name)} shares most countries with**")
        st.dataframe(view.shared_most[["Rank", "Partner", "Shared countries", f"Share of {name}'s countries",
                                       "Which"]].head(5), placeholder="—", hide_index=True, width="stretch")
        st.page_link("pages/overlap.py", label=f"Every partner in {name}'s countries, with their tools: Overlap",
                     icon="🔗", query_params={k: st.query_params.get_all(k) for k in st.query_params})
        return view
    t1, t2, t3, t4 = st.tabs([f"🌍 Its countries ({len(view.countries)})",
                              f"🧰 Who else, with which tools ({len(view.neighbours)})",
                              f"🤝 Shares most countries with ({len(view.shared_most)})",
                              f"🧍 Works alone ({len(view.alone)})"])
    with t1:
        st.caption(VL.DEFINITIONS["countries"].format(p=name) + " Most other partners first.")
        _table(view.countries, key=f"dl_{key}_lens_countries", f=f, title=f"Countries of {name} and who else works there",
               file_stem=f"{stem}_countries", widths={"Other partners there": 360, f"Tools of {name} there": 260})
    with t2:
        st.caption(f"Every other partner in {name}'s countries, with the tools their programmes there use.")
        _table(view.neighbours, key=f"dl_{key}_lens_who", f=f, title=f"Other partners in the countries of {name}",
               file_stem=f"{stem}_other_partners", widths={"Their tools used there": 420})
    with t3:
        st.caption(VL.DEFINITIONS["shared"].format(p=name))
        _table(view.shared_most, key=f"dl_{key}_lens_shared", f=f, title=f"Partners {name} shares most countries with",
               file_stem=f"{stem}_shares_most", widths={"Which": 420})
    with t4:
        if view.alone.empty:
            st.success(f"{ui.escape(name)} works alongside at least one other partner in every one of its countries.",
                       icon="✅")
        else:
            st.caption(VL.DEFINITIONS["alone"].format(p=name))
            _table(view.alone, key=f"dl_{key}_lens_alone", f=f, title=f"Countries where {name} works alone",
                   file_stem=f"{stem}_alone")
    for note in view.notes:
        st.caption(ui.escape(note))
    return view


def suggest(f: Filters, *, key: str) -> None:
    """With one partner in the Partners filter and no lens: offer to look through its eyes instead."""
    if f.lens or len(f.partners) != 1:
        return
    pid = f.partners[0]
    name = cached(VL.partner_label, pid)

    def _choose() -> None:
        st.session_state[URL_KEYS["lens"]] = pid

    c1, c2 = st.columns([3, 1], vertical_alignment="center")
    c1.info(f"The Partners filter shows {ui.escape(name)} only. To see **who else** works where it works, with "
            "which tools, choose it as **My partner** in the sidebar.", icon="👁")
    c2.button(f"Look through {name}'s eyes", key=f"{key}_lens_suggest", on_click=_choose, icon="👁")
