"""Trợ lý Dịch vụ công: everything that is not Rasa glue (text handling, catalog, services, channels)."""
