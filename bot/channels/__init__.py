"""Messaging channels: the Telegram bridge (`python -m bot.channels.telegram_bridge`) and the Zalo OA input
channel for Rasa (`bot.channels.zalo.ZaloInput` in credentials.yml). See the README."""
