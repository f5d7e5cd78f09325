"""The one error the int8 toolchain raises: it always says what went wrong and what to do."""

from __future__ import annotations


class QuantizeError(Exception):
    """Bad input, an unsupported combination, or an artifact the accuracy gate refused.

    `report` carries the gate report when the artifact was rejected, so callers can still show it.
    """

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report
