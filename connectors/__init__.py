"""Channels: the web chat widget, Telegram and Bale bots, SMS, and notification delivery.

Every adapter talks to Rasa only through its REST channel (:mod:`connectors.rasa_client`).
"""
