"""Evaluating offline: question sets through the searcher, metrics, the calibration fitted."""
