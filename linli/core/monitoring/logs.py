"""Log lines as JSON objects (LINLI_LOG_FORMAT=json), for a log shipper to index: one object a
line, with the id of the request that logged it (linli.core.middleware.RequestIdMiddleware), the
same id the response's X-Request-Id header and the audit trail carry."""

import json
import logging
from datetime import UTC, datetime

from linli.core.context import current_request_id


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record ("" outside a request). Django logs a 4xx or
    5xx answer (django.request) after the middleware has returned: its record names the request."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = current_request_id() or getattr(request, "request_id", "")
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
