"""Attendance: check-in sheet, QR check-in, platform imports and regional reports."""
