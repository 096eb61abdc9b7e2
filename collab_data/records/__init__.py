"""One module per record type the collaboratives enter themselves: its fields, validation
(findings with row, column, value, what is wrong and how to fix it), template and write."""
