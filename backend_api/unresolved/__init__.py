"""unresolved domain."""
