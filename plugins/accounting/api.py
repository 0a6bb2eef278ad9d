"""Public interface of the accounting plugin: the only module other plugins may use, through
``erp.ports.get("accounting")``. It takes and returns the plain objects of ``data.py`` only.

Its functions arrive with the accounting features; until then it offers nothing.
"""
