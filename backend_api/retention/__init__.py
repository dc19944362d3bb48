"""Retention: personal data kept only as long as it serves the citizen and the service."""
