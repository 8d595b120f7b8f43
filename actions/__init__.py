"""Rasa action server package: thin Action classes grouped by capability.

Run with `python -m actions` (what `make run` starts; see actions/__main__.py).
"""
