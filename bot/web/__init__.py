"""The web app for ward advisory teams and hotline operators (Sanic + Jinja2).

The chat page (static/) and its relay of POST /webhooks/rest/webhook to the Rasa REST channel (no CORS needed),
the procedure pages /thu-tuc and /thu-tuc/<code> (pages.py), the hotline console /tong-dai (console.py).

Run: python -m bot.web   (settings: WEB_HOST, WEB_PORT, RASA_URL, RASA_TIMEOUT, OPERATOR_TOKEN, see config.py)
"""
