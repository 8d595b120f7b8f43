"""Local web chat page for ward advisory teams and hotline operators.

Static page (bot/web/static/) plus a small stdlib HTTP server that serves it and relays
POST /webhooks/rest/webhook to the Rasa REST channel, so the browser needs no CORS.

Run: python -m bot.web   (settings: WEB_HOST, WEB_PORT, RASA_URL, RASA_TIMEOUT, see bot/web/config.py)
"""
