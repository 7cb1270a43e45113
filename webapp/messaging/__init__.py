"""Organisers write to an event's registrants (the message composer)."""
