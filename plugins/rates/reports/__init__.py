"""Printed outputs of the rates plugin."""
