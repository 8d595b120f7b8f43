"""Rasa action server package: thin Action classes grouped by capability.

Run with `rasa run actions --actions actions` (the Makefile's `make run` does it).
"""
