"""The printable wijkprofiel report (HTML and PDF from one template).

Public API: :func:`render_report` (write one report to a file), :func:`report_bytes` (PDF or
HTML bytes, for the web route), :func:`render_batch` (one report per buurt or wijk of a
gemeente, with a progress callback) and :func:`build_context` (the template context).
"""

from wijkradar.outputs.report.context import build_context, report_strings
from wijkradar.outputs.report.render import (
    BatchResult,
    batch_codes,
    render_batch,
    render_html,
    render_report,
    report_bytes,
)

__all__ = [
    "report_strings",
    "BatchResult",
    "batch_codes",
    "build_context",
    "render_batch",
    "render_html",
    "render_report",
    "report_bytes",
]
