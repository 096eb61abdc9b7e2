"""Collaborative Data Dashboard: data access, country resolution, metrics and chart builders.

Everything here is importable and testable without a browser; the Streamlit pages in
``pages/`` only read filters, call this package and render.
"""
