"""Public interface of the budget plugin: the only module other plugins may use, through
``erp.ports.get("budget")``. It takes and returns the plain objects of ``data.py`` only.

Its functions arrive with the budget features; until then it offers nothing.
"""
