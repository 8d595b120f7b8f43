"""Custom Rasa NLU components and input checks for Vietnamese messages."""
