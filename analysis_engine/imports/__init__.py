"""Bringing libraries in: batch ZIP imports (an API and a job) and the old app's library (CLI)."""

from analysis_engine.imports.legacy import import_legacy, render_report, report_data
from analysis_engine.imports.legacy_source import LegacyImportError
from analysis_engine.imports.routes import router
from analysis_engine.imports.runner import start_import_jobs

__all__ = [
    "LegacyImportError",
    "import_legacy",
    "render_report",
    "report_data",
    "router",
    "start_import_jobs",
]
