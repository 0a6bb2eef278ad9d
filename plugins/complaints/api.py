"""Public interface of the complaints plugin: the only module other plugins may use, through
``erp.ports.get("complaints")``. It takes and returns the plain objects of ``data.py`` only.

Its functions arrive with the complaints features; until then it offers nothing.
"""
