"""Channels: the web chat gateway (and, later, Telegram, Bale and SMS adapters)."""
