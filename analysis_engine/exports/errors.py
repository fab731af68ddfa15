"""What can go wrong with exports, each as the error a producer sees."""

from __future__ import annotations

from sp404.core.errors import AppError, Conflict, Unprocessable


class ExportExpired(AppError):
    """This export has expired and its file is gone; export again to get a fresh one."""

    status_code = 410
    code = "export_expired"


class ExportNotReady(Conflict):
    """This export is not ready yet; download it once its status is "ready"."""

    code = "export_not_ready"


class NothingToExport(Unprocessable):
    """There is nothing to export: the kit has no pads, or the collection no samples."""

    code = "nothing_to_export"
