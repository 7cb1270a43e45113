"""The organiser workspace: login, dashboard, scheduling and registrations."""
