"""feedback domain."""
