"""Dossier status ("tra cứu hồ sơ"): code parsing, the reference one-stop-shop service, its CLI,
the status-change notifier and test helpers. See the README, "Dossier status", for how to run each part."""
