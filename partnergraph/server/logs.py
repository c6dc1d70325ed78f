"""Log set-up: one stderr handler writing JSON or text lines, each with its request id, and
the banner on stdout.

Log calls pass structured fields as `extra={"fields": {...}}`: JSON lines carry them as
keys, text lines as `key=value` after the message (those that are None left out). The
`partnergraph.banner` logger writes to stdout what a person starting the server reads: in
text, the record's `text` (lines for a terminal); in JSON, one object like any other line.
Whatever a line holds, access tokens (`access_token=…`, `Bearer …`, and anything shaped
like a Meta access token, such as a token pasted into a URL's path) are cut out before it
is written.
"""

import functools
import json
import logging
import math
import re
import sys
import time
from datetime import datetime
from typing import Any, TextIO

import orjson

from partnergraph import telemetry
from partnergraph.tokens import REDACTED, TOKEN_PREFIXES, TOKEN_SHAPE

__all__ = ["BANNER", "JsonFormatter", "TextFormatter", "configure", "scrub"]

BANNER = "partnergraph.banner"
"""The logger of the banner: written to stdout, at INFO whatever the level."""

_MARKERS = ("access_token", "bearer", "oauth", *(prefix.lower() for prefix in TOKEN_PREFIXES))
_SECRETS = re.compile(
    rf"(access_token=|\b(?:bearer|oauth)\s+)[^\s&\"',;)]+|(?-i:{TOKEN_SHAPE})", re.IGNORECASE
)


def scrub(text: str) -> str:
    """text with the value of every access token it shows replaced."""
    lowered = text.lower()
    if not any(marker in lowered for marker in _MARKERS):
        return text  # the common case, a few times faster than the expression
    return _SECRETS.sub(lambda match: (match.group(1) or "") + REDACTED, text)


def configure(
    level: str, log_format: str | None, stream: TextIO | None = None, out: TextIO | None = None
) -> None:
    """Send every log line to stream (stderr): partnergraph's from `level`, others' warnings;
    and the banner to out (stdout).

    `log_format` is `json` or `text`; None picks text on a terminal and JSON otherwise.
    """
    stream = stream or sys.stderr
    log_format = log_format or ("text" if stream.isatty() else "json")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("partnergraph").setLevel(level.upper())
    shown = logging.StreamHandler(out or sys.stdout)
    shown.setFormatter(JsonFormatter() if log_format == "json" else _BannerFormatter())
    banner = logging.getLogger(BANNER)
    banner.handlers[:] = [shown]
    banner.setLevel(logging.INFO)
    banner.propagate = False


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    request = telemetry.current()
    if request is not None:
        fields["requestId"] = request.request_id
    extra = getattr(record, "fields", None)
    if isinstance(extra, dict):
        fields.update(extra)
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the fields, any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return scrub(_json(line))


def _utc_time(created: float) -> str:
    """`2026-11-29T23:07:33.235+00:00`: what datetime's isoformat() in milliseconds writes of a
    UTC timestamp, at a third of its cost, the second's text being shared by its lines."""
    fraction, second = math.modf(created)
    micro = round(fraction * 1e6)  # rounded as datetime.fromtimestamp() does
    if micro >= 1_000_000:
        second, micro = second + 1, micro - 1_000_000
    return f"{_utc_second(int(second))}.{micro // 1000:03d}+00:00"


@functools.lru_cache(maxsize=4)
def _utc_second(second: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


def _local_time(created: float) -> str:
    """`2026-12-07 22:05:31.042+01:00`: the local time, to the millisecond, with its offset."""
    moment = datetime.fromtimestamp(created).astimezone()
    return moment.isoformat(sep=" ", timespec="milliseconds")


def _json(line: dict[str, Any]) -> str:
    """line as one line of JSON: by orjson, some ten times faster than json on every access
    line, or by json for what orjson refuses (an integer past 64 bits)."""
    try:
        return orjson.dumps(line, default=str).decode()
    except orjson.JSONEncodeError:
        return json.dumps(line, default=str)


class TextFormatter(logging.Formatter):
    """`date time+zone LEVEL logger message key=value…`, then any traceback: for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        moment = _local_time(record.created)
        fields = " ".join(
            f"{key}={value}" for key, value in _fields(record).items() if value is not None
        )
        line = f"{moment} {record.levelname:<7} {record.name} {record.getMessage()}"
        if fields:
            line += "  " + fields
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return scrub(line)


class _BannerFormatter(logging.Formatter):
    """A banner record's `text` (its message when it has none), for a person to read."""

    def format(self, record: logging.LogRecord) -> str:
        text = getattr(record, "text", None)
        return scrub(text if isinstance(text, str) else record.getMessage())
