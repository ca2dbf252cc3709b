"""Telegram without Telegram: a local Bot API server, scripted people talking to the real bot, the demo.

Used by ``reportbot demo`` and by the tests; the running bot never imports it.
"""
