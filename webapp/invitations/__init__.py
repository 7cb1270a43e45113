"""Invitations of partner contacts to partners-only meetings, and their answers."""
