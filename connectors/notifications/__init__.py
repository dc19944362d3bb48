"""Delivering the backend's notification outbox on every enabled channel."""
