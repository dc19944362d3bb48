"""Thin Rasa GraphComponent adapters over the pure functions of ``nlu`` (the only place that
imports ``rasa``)."""
