"""Per page, what the page shows: labelled frames, notes and statuses built from
:mod:`collab_data.queries` and the computations of the package. A page calls one function
of a view module and draws what it returns."""
