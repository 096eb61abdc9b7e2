"""What the Data gaps page says about its rows: the sort orders offered, the default
(the biggest gaps first: a facilitator opens the page on the countries that need data
most), and the sentence that states the sort rule under each heatmap."""

from __future__ import annotations

from collab_data.charts import gaps as C

#: The page opens on the largest gaps.
DEFAULT_ORDER = C.ORDER_FEWEST

#: The sort orders, in the order the control offers them.
ORDER_LABELS = {C.ORDER_FEWEST: "Largest gaps first", C.ORDER_MOST: "Most data first", C.ORDER_NAME: "By name"}


def sort_rule(order: str, measure: str) -> str:
    """The sort rule in one sentence, e.g. "Sorted with the largest gaps first: the fewest series
    broken down (summed over the five dimensions) at the top; countries without any data last."."""
    if order == C.ORDER_NAME:
        return "Sorted by country name; countries without any data last."
    if order == C.ORDER_MOST:
        return f"Sorted with the most data first: the most {measure} at the top; countries without any data last."
    return (f"Sorted with the largest gaps first: the fewest {measure} at the top; countries without any data "
            "last (missing is not zero, so they are not ranked).")
