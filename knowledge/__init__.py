"""Finding the service card or FAQ that answers a citizen's question."""
