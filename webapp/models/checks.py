"""Helpers for the check constraints the models declare."""


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a check that ``column`` holds one of ``values``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"
