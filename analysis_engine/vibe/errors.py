"""Why a model gave no description; the caller falls back to the local describer on any."""

from __future__ import annotations

from decimal import Decimal


class VibeError(Exception):
    """The model gave no usable description."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.__doc__ or type(self).__name__)


class ProviderError(VibeError):
    """The provider failed to answer."""

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        transient: bool = False,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        # Worth another try: connect errors, 429 and 5xx.
        self.transient = transient
        self.retry_after_s = retry_after_s


class ProviderRejected(ProviderError):
    """The provider refused the request (bad key, no credit, bad model): never retried."""


class ProviderTimeout(ProviderError):
    """The provider took longer than the total timeout."""


class ProviderUnavailable(VibeError):
    """The provider failed too often lately; not asking it until the breaker lets a probe by."""


class MalformedReply(VibeError):
    """The model's reply held no usable JSON description, even after a nudge."""

    def __init__(
        self,
        message: str | None = None,
        *,
        tokens_used: int | None = None,
        cost_usd: Decimal | None = None,
    ) -> None:
        super().__init__(message)
        # The failed answers still cost tokens; the caller records them.
        self.tokens_used = tokens_used
        self.cost_usd = cost_usd
