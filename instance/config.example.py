# Copy to instance/config.py and adjust. Environment variables of the same name win.
SECRET_KEY = "change-me-to-a-long-random-string"
# DATABASE_URL = "postgresql+psycopg://events@localhost/events"
# PUBLIC_BASE_URL = "https://events.inter-ventures.eu"
# MAIL_BACKEND = "smtp"
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "events@inter-ventures.eu"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "Inter Ventures Events <events@inter-ventures.eu>"
# RATELIMIT_STORAGE_URI = "redis://localhost:6379/0"
