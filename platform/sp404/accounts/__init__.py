"""Accounts: sign-up to deletion, sessions and refresh rotation, personal access tokens,
profile, the e-mail outbox and sender, the GDPR export."""
