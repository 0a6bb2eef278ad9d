"""Plain data objects (standard library only) passed across the budget plugin's interface."""
