"""Event series: meetings created together on a rule or a list of dates."""
