"""The operator's entry point: install, train, check and run the whole assistant."""
