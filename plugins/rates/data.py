"""Plain data objects (standard library only) passed across the rates plugin's interface."""
