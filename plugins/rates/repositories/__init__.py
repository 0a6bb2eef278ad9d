"""Queries of the rates plugin. Repositories add and flush; services commit."""
