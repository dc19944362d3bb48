"""Thin Rasa GraphComponent adapters over the pure functions of ``nlu`` (the only part of ``nlu``
that imports ``rasa``; other Rasa plug-ins live in ``rasa_plugins``)."""
