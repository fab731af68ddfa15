"""The platform service (port 8000): accounts and billing routes, the mailer and account
jobs."""

__all__ = [
    "app",
]
