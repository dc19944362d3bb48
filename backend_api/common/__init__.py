"""Pieces shared by several domains."""
