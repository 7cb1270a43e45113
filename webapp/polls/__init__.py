"""Polls that find a time for a meeting across the partners' regions."""
