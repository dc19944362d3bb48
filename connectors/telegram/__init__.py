"""Telegram and Bale bots: one adapter on python-telegram-bot, webhook or long polling."""
