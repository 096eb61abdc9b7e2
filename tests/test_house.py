"""Rules of the house, checked: layering, offline icons, palettes, CI = README, lint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from collab_data import theme

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))
PACKAGE = sorted((ROOT / "collab_data").rglob("*.py"))


def test_streamlit_theme_uses_the_same_colour_blind_safe_palettes():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    t = config["theme"]
    assert t["chartCategoricalColors"] == theme.CATEGORICAL
    assert t["chartSequentialColors"] == theme.SEQUENTIAL
    assert t["chartDivergingColors"] == theme.DIVERGING
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["headless"] is True


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_are_thin(page):
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"import duckdb|\.execute\(|\bSELECT\b.+\bFROM\b|get_database|Database\(", text), \
        f"{page.name}: SQL and connections belong in collab_data"
    assert "ui.require_router()" in text, f"{page.name}: must run inside the router (deep links)"


def test_package_never_imports_a_page():
    for module in PACKAGE:
        assert not re.search(r"^\s*(from|import)\s+pages\b", module.read_text(encoding="utf-8"), re.M), module


def test_only_db_opens_duckdb():
    for module in PACKAGE:
        if module.name == "db.py":
            continue
        assert "duckdb.connect" not in module.read_text(encoding="utf-8"), f"{module}: open DuckDB through db.py"


def test_no_icon_font_from_outside():
    for path in [ROOT / "app.py", *PAGES, *PACKAGE]:
        if path.name == "plaintext.py":  # it names the icon syntax to neutralise it in user text, never to show one
            continue
        assert ":material/" not in path.read_text(encoding="utf-8"), f"{path.name}: material icons load from outside"


def test_ci_runs_the_readme_test_command():
    run = [ln for ln in (ROOT / ".ci" / "run").read_text().splitlines()
           if ln.strip() and not ln.startswith("#") and not ln.startswith(("set ", "cd "))]
    assert run[-1] in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by requirements-dev.txt")
def test_lint_clean():
    out = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
