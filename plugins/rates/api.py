"""Public interface of the rates plugin: the only module other plugins may use, through
``erp.ports.get("rates")``. It takes and returns the plain objects of ``data.py`` only.

Its functions arrive with the rates features; until then it offers nothing.
"""
