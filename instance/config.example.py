# Copy to instance/config.py and adjust. Environment variables of the same name win.
# The app refuses this example SECRET_KEY: replace it with 32 or more random characters
# (python -c 'import secrets; print(secrets.token_hex(32))').
SECRET_KEY = "change-me-to-a-long-random-string"
PUBLIC_BASE_URL = "https://events.inter-ventures.eu"
# DATABASE_URL = "postgresql+psycopg://events@localhost/events"
# MAIL_BACKEND = "smtp"
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "events@inter-ventures.eu"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "Inter Ventures Events <events@inter-ventures.eu>"
# RATELIMIT_STORAGE_URI = "redis://localhost:6379/0"
# WEB_CONCURRENCY = 4
# LOG_FORMAT = "json"
# METRICS_TOKEN = "..."
