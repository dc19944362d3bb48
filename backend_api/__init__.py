"""Dastyar back office: catalogue, FAQ, requests, feedback, unresolved questions, staff API."""
