"""iCalendar feeds for calendar apps."""
