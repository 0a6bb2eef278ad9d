"""Queries of the accounting plugin. Repositories add and flush; services commit."""
