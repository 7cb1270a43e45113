"""Helpers shared by tests and benchmarks: real servers and load generation."""
