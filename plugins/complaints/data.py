"""Plain data objects (standard library only) passed across the complaints plugin's interface."""
