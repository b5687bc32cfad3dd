"""Personal data stays out of the logs.

The access log writes every request's path with its query: a search by the applicant's ID
number (``GET /api/v1/dossiers?id_number=…``) would put the number in the log. The filter
replaces the values of such parameters before the line is written.
"""

from __future__ import annotations

import logging
import re
from urllib import parse

# Query parameters that may carry personal data (ID numbers, phone numbers, names) or a key to
# it (a dossier's token); matched whatever their case or percent-encoding (id%5Fnumber).
PERSONAL_PARAMETERS = frozenset({"id_number", "phone", "name", "full_name", "applicant", "q", "token"})
# The citizen's pages carry their token in the path: /tra-cuu/so/<token>, /tra-cuu/ho-so/<code>/<token>.
_PAGE_TOKEN = re.compile(r"^(/tra-cuu/so/|/tra-cuu/ho-so/[^/?]+/)[^/?]+")


def redact(path: str) -> str:
    """``/dossiers?id_number=0250…&x=1`` → ``/dossiers?id_number=***&x=1``;
    ``/tra-cuu/so/AbC…`` → ``/tra-cuu/so/***``."""
    route, mark, query = path.partition("?")
    route = _PAGE_TOKEN.sub(r"\g<1>***", route)
    if not mark:
        return route
    pairs = parse.parse_qsl(query, keep_blank_values=True)
    shown = [(key, "***" if key.lower() in PERSONAL_PARAMETERS else value) for key, value in pairs]
    return f"{route}?{parse.urlencode(shown, safe='*')}"


class RedactQuery(logging.Filter):
    """For uvicorn's access logger, whose record args are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def install() -> None:
    """Once per process: filter the access log (uvicorn creates it at start, with its handlers)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, RedactQuery) for existing in access.filters):
        access.addFilter(RedactQuery())
