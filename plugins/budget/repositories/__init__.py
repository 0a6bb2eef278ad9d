"""Queries of the budget plugin. Repositories add and flush; services commit."""
