"""Dossier status ("tra cứu hồ sơ"): code parsing, the reference one-stop-shop service, its CLI,
the status-change notifier and test helpers. See tmp/handoff/dossier.md for how to run each part."""
