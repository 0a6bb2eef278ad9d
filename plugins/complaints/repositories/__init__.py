"""Queries of the complaints plugin. Repositories add and flush; services commit."""
