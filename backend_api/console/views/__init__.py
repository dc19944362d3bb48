"""Console pages, one module per screen."""
