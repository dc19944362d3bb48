"""Handoff domain: conversations the assistant hands to a person."""
