"""Reporting to the programme: periods, action plans, evidence packs, certificates."""
