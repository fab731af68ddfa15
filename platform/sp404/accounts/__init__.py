"""Accounts: sign-up to deletion, sessions and refresh rotation, personal access tokens,
profile, the e-mail outbox and sender, the GDPR export."""

# What the platform service, billing and the tools use; sign-up, sessions, credentials, the
# profile and the hash gate are private.
__all__ = [
    "auth",
    "context",
    "data_rights",
    "emails",
    "mailer",
    "outbox",
    "passwords",
    "routes",
    "token_service",
]
