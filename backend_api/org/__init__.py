"""Org chart: agencies → posts → people (staff memberships)."""
