"""Collections: nested folders of samples, and smart collections defined by rules."""

from analysis_engine.collections.routes import router
from analysis_engine.collections.rules import SmartRules
from analysis_engine.collections.service import member_ids

__all__ = [
    "SmartRules",
    "member_ids",
    "router",
]
