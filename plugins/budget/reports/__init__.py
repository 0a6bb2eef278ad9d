"""Printed and spreadsheet forms of the budget reports."""
