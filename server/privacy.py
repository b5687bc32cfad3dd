"""Personal data stays out of the logs.

The access log writes every request's path with its query: a search by the applicant's ID
number (``GET /api/v1/dossiers?id_number=…``) would put the number in the log. The filter
replaces the values of such parameters before the line is written.
"""

from __future__ import annotations

import logging
import re

# Query parameters that may carry personal data (ID numbers, phone numbers, names).
PERSONAL_PARAMETERS = ("id_number", "phone", "name", "full_name", "applicant", "q")
_PATTERN = re.compile(r"(?P<key>(?:^|[?&])(?:" + "|".join(PERSONAL_PARAMETERS) + r")=)[^&\s]*")


def redact(path: str) -> str:
    """``/dossiers?id_number=0250…&x=1`` → ``/dossiers?id_number=***&x=1``."""
    return _PATTERN.sub(r"\g<key>***", path)


class RedactQuery(logging.Filter):
    """For uvicorn's access logger, whose record args are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def install() -> None:
    """Once per process: filter the access log (uvicorn creates it at start, with its handlers)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactQuery) for existing in access.filters):
        access.addFilter(RedactQuery())
