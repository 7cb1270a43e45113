"""E-mail: the transactional outbox, rendering, delivery and reminders."""
