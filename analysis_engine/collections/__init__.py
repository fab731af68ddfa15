"""Collections: nested folders of samples, and smart collections defined by rules."""

from analysis_engine.collections.routes import router
from analysis_engine.collections.rules import SmartRules

__all__ = ["SmartRules", "router"]
