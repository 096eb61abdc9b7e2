"""Streamlit building blocks shared by the pages: the filter bar, the filter sentence,
the sample badge, exports and empty states. No SQL here: data comes through
:func:`collab_data.runtime.cached` calls of :mod:`collab_data.queries`.
"""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from collab_data import exports, queries, theme
from collab_data.filters import (
    ALL_TIME,
    COLLAB_CHOICES,
    GROUP_CHOICES,
    URL_KEYS,
    Filters,
    describe,
    period_choices,
    period_label,
)
from collab_data.runtime import cached

_LIST_FIELDS = ("regions", "income", "groups", "countries", "partners", "tool_kinds")


def _reset_filters() -> None:
    defaults = Filters()
    for field, key in URL_KEYS.items():
        value = getattr(defaults, field)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value


def filter_bar() -> Filters:
    """The shared filters in the sidebar, every one bound to the URL; returns the value."""
    opts = cached(queries.filter_options)
    countries = dict(opts["countries"])
    partners = dict(opts["partners"])
    years = opts["years"] or [2024]
    with st.sidebar:
        st.markdown("### Filters")
        st.segmented_control(
            "Collaborative", list(COLLAB_CHOICES), default="both", key=URL_KEYS["collab"], bind="query-params",
            format_func=lambda c: {"both": "Both", "gender": "Gender", "lnob": "LNOB"}[c],
            help="Gender data collaborative, Leave No One Behind data collaborative, or both.",
        )
        st.selectbox(
            "Period", period_choices(min(years), max(years)), key=URL_KEYS["period"], bind="query-params",
            format_func=lambda p: "All time" if p == ALL_TIME else period_label(p).capitalize()
            if p == "last12" else period_label(p),
            help="Activities and collaborations that started in the period; programmes running during it.",
        )
        st.multiselect("Partners", list(partners), key=URL_KEYS["partners"], bind="query-params",
                       format_func=lambda p: partners.get(p, p), placeholder="All partners")
        st.multiselect("Countries", list(countries), key=URL_KEYS["countries"], bind="query-params",
                       format_func=lambda c: countries.get(c, c), placeholder="All countries")
        with st.expander("Country groups, tools", expanded=False):
            st.multiselect("Region (World Bank)", opts["regions"], key=URL_KEYS["regions"], bind="query-params",
                           placeholder="All regions")
            st.multiselect("Income group", opts["income"], key=URL_KEYS["income"], bind="query-params",
                           placeholder="All income groups")
            st.multiselect("LNOB group", list(GROUP_CHOICES), key=URL_KEYS["groups"], bind="query-params",
                           format_func=lambda g: GROUP_CHOICES[g], placeholder="Any",
                           help="Countries in any of the chosen UN groups.")
            st.multiselect("Tool kind", opts["tool_kinds"], key=URL_KEYS["tool_kinds"], bind="query-params",
                           placeholder="All kinds", help="Applies to tools and to the programmes that use them.")
        st.button("Reset filters", on_click=_reset_filters, icon="🔄", width="stretch")
    return current_filters()


def current_filters() -> Filters:
    """The filters as the widgets (or the URL, on first load) hold them."""
    state = st.session_state
    kwargs = {}
    for field, key in URL_KEYS.items():
        if key in state and state[key] is not None:
            value = state[key]
            kwargs[field] = tuple(value) if field in _LIST_FIELDS else value
    try:
        return Filters(**kwargs)
    except ValueError:
        return Filters()


def page_header(title: str, f: Filters, *, caption: str | None = None) -> None:
    """Title, the active filters in one sentence, and the sample badge when sample rows are in view."""
    st.title(title)
    sentence = describe(f, country_names=cached(queries.country_names), partner_names=cached(queries.partner_names))
    badge = cached(queries.sample_in_view, f)
    cols = st.columns([5, 1]) if badge else [st.container()]
    cols[0].markdown(f"**Showing:** {_escape(sentence)}")
    if badge:
        cols[1].markdown(
            f":orange-badge[{theme.SAMPLE_BADGE}]",
            help="Some records in view are sample data for demonstration, until partners upload their own.",
        )
    if caption:
        st.caption(caption)


def _escape(text: str) -> str:
    """Plain text for st.markdown: Markdown and HTML characters are escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)


def download(frame: pd.DataFrame, *, label: str, file_stem: str, title: str, f: Filters, key: str,
             note: str | None = None) -> None:
    """A CSV download of exactly ``frame``, with the filters and data date written into the file."""
    sentence = describe(f, country_names=cached(queries.country_names), partner_names=cached(queries.partner_names))
    as_of = cached(queries.data_as_of)
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    st.download_button(
        f"⬇ {label}",
        data=lambda: exports.to_csv(frame, title=title, filters_sentence=sentence, query=query, as_of=as_of, note=note),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=key,
        on_click="ignore",
    )


def empty_state(what: str, how: str) -> None:
    """Explain what is missing and how to add it, instead of drawing empty axes."""
    st.info(f"**{what}**\n\n{how}", icon="ℹ️")


NO_COLLAB_DATA_HOW = (
    "This database holds the real country reference and data-gap indicators but no records of the "
    "collaboratives yet. Partner data leads can add activities on the Activities page (CSV upload), or an "
    "administrator can load the bundled sample with `python -m collab_data build`."
)


def require_router() -> None:
    """Make sure a page runs inside the app's router (``app.py``), also on a deep link.

    Streamlit treats a folder named ``pages/`` next to the entry script as a legacy
    multipage app until ``st.navigation`` has run once in the process; a first visit
    straight to ``/countries`` would then run the page without the router (no filters,
    no theme setup). Every page calls this first: it switches the process to the
    router and reruns, which runs ``app.py`` and lands on the same page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
