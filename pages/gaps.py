"""gaps page (being built)."""

from collab_data import ui

ui.require_router()
f = ui.current_filters()
ui.page_header("gaps", f)
