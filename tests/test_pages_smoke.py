"""Every page runs without an exception on the sample and on an empty (--no-sample) database."""

from __future__ import annotations

import pytest

PAGES = ["pages/overview.py", "pages/kpis.py", "pages/partners.py", "pages/overlap.py", "pages/network.py",
         "pages/activities.py", "pages/countries.py", "pages/brief.py",
         "pages/gaps.py", "pages/manage.py"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("which", ["sample", "empty"])
def test_page_runs(app_test, sample_db_path, empty_db_path, page, which):
    at = app_test(sample_db_path if which == "sample" else empty_db_path, page)
    assert not at.exception, at.exception
    assert at.title, "every page has a title"
    text = " ".join(m.value for m in at.markdown)
    assert "Showing:" in text, "every page states the active filters"


def test_url_parameters_preselect_filters(app_test, sample_db_path):
    at = app_test(sample_db_path, "pages/overview.py", country=["Kenya", "Uganda"], collab="Gender", period="2025")
    assert not at.exception
    assert at.session_state["country"] == ["KEN", "UGA"]
    assert at.session_state["collab"] == "gender"
    assert at.session_state["period"] == "2025"
    text = " ".join(m.value for m in at.markdown)
    assert "Kenya or Uganda" in text and "gender data collaborative" in text
