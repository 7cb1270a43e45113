"""Registration of stakeholders: forms, capacity, waiting list and self-service links."""
