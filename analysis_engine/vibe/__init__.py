"""The vibe of a sample: an OpenRouter model's description, or the local rules' without a key."""

from analysis_engine.vibe.errors import VibeError
from analysis_engine.vibe.local import LocalDescriber
from analysis_engine.vibe.model import DEFAULT_MODEL, LOCAL_MODEL, VibeResult
from analysis_engine.vibe.openrouter import ClientPolicy, OpenRouterClient
from analysis_engine.vibe.service import Describer, aclose_clients, describe

__all__ = [
    "DEFAULT_MODEL",
    "LOCAL_MODEL",
    "ClientPolicy",
    "Describer",
    "LocalDescriber",
    "OpenRouterClient",
    "VibeError",
    "VibeResult",
    "aclose_clients",
    "describe",
]
