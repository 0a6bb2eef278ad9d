"""Plain data objects (standard library only) passed across the accounting plugin's interface."""
