"""Kits: the SP-404MK2's 10 x 16 pad grid, filled from the producer's library."""

from analysis_engine.kits.access import kits_tx, require_samples
from analysis_engine.kits.roles import ROLES, role_of_pad
from analysis_engine.kits.routes import router
from analysis_engine.kits.service import create_kit_with_pads

__all__ = [
    "ROLES",
    "create_kit_with_pads",
    "kits_tx",
    "require_samples",
    "role_of_pad",
    "router",
]
