"""Printed and spreadsheet forms of the accounting statements."""
