"""The web chat widget: its API, its script and the per-session history and inbox."""
