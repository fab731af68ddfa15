"""Sampler exports: IMPORT kit packs, plain sample exports and native projects (beta)."""

from analysis_engine.exports.routes import router
from analysis_engine.exports.runner import start_export_jobs

__all__ = ["router", "start_export_jobs"]
