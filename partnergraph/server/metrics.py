"""One app's Prometheus instruments, in a registry of its own, and the `/metrics` endpoint.

Under `serve --workers N` the supervisor sets PROMETHEUS_MULTIPROC_DIR, and every worker
writes its counts there (prometheus-client's multiprocess mode): a scrape, whichever
worker answers it, reads them all, adds them up, and reads each live worker's
`process_*` figures from /proc, labelled by `pid`.

No label takes unbounded values: operation names are GraphQL names of operations that
parsed, and only the first `operation_limit` distinct ones become labels (later ones
count under `(other)`); edges, methods, statuses, caches and outcomes come from code.
"""

import functools
import os
import re
from collections.abc import Iterable
from typing import TypeVar, cast

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from partnergraph.telemetry import UpstreamCall

__all__ = ["ANONYMOUS", "MULTIPROCESS_DIR", "OTHER", "Metrics", "OperationLabels"]

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
"""The environment variable naming the directory workers count in (prometheus-client's)."""

ANONYMOUS = "(anonymous)"
"""The operation label of an operation without a name (or of a request that did not parse)."""
OTHER = "(other)"
"""The operation label of names past the limit."""

_Metric = TypeVar("_Metric", bound=MetricWrapperBase)

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_WORKER = "partnergraph_worker"
_REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_UPSTREAM_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)


class OperationLabels:
    """Operation names as label values: the first `limit` distinct names, then `(other)`."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._known: set[str] = set()

    def label(self, name: str | None) -> str:
        """The label value of an operation name."""
        if name is None:
            return ANONYMOUS
        if name in self._known:
            return name
        if len(self._known) >= self._limit or not _NAME.fullmatch(name):
            return OTHER
        self._known.add(name)
        return name


class Metrics:
    """The instruments of one app; `redis_available` exists when Redis is configured.

    The counts are this process's, or every worker's when PROMETHEUS_MULTIPROC_DIR is set:
    prometheus-client reads that variable once, when first imported, and so does this.
    """

    def __init__(self, *, operation_limit: int = 100, redis: bool = False) -> None:
        self.registry = CollectorRegistry()
        directory = os.environ.get(MULTIPROCESS_DIR)
        self._scraped: Collector = self.registry
        if directory:
            Gauge(
                _WORKER,
                "1 for each live worker process, by pid.",
                registry=self.registry,
                multiprocess_mode="liveall",
            ).set(1)
            self._scraped = _Workers(directory)
        else:
            ProcessCollector(registry=self.registry)
        self.operations = OperationLabels(operation_limit)
        self.requests = Counter(
            "partnergraph_requests",
            "GraphQL requests, and operations over WebSocket, by operation name and outcome "
            "(ok, or the first error's code).",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "partnergraph_request_duration_seconds",
            "Time to answer a GraphQL request over HTTP, from its first byte to its last.",
            buckets=_REQUEST_BUCKETS,
            registry=self.registry,
        )
        self.upstream_calls = Counter(
            "partnergraph_upstream_calls",
            "Graph API calls by edge, method and status; a batch counts once under `batch` "
            "and each of its entries under its own edge.",
            ["edge", "method", "status"],
            registry=self.registry,
        )
        self.upstream_seconds = Histogram(
            "partnergraph_upstream_call_duration_seconds",
            "Time of one Graph API HTTP request.",
            ["edge", "method"],
            buckets=_UPSTREAM_BUCKETS,
            registry=self.registry,
        )
        self.cache_lookups = Counter(
            "partnergraph_cache_lookups",
            "Lookups in each cache (pages, answers) by result (hit, miss).",
            ["cache", "result"],
            registry=self.registry,
        )
        self.flight_joins = Counter(
            "partnergraph_single_flight_joins",
            "Reads that joined an identical read in flight instead of calling upstream.",
            ["cache"],
            registry=self.registry,
        )
        self._labelled: dict[tuple[MetricWrapperBase, tuple[str, ...]], MetricWrapperBase] = {}
        self.redis_available = (
            Gauge(
                "partnergraph_redis_up",
                "1 while Redis answers the server's calls, 0 from a failed call until it is back "
                "(in any worker).",
                registry=self.registry,
                multiprocess_mode="livemin",
            )
            if redis
            else None
        )

    def request(self, operation_name: str | None, outcome: str, seconds: float) -> None:
        """Count and time one GraphQL request over HTTP."""
        self.operation(operation_name, outcome)
        self.request_seconds.observe(seconds)

    def operation(self, operation_name: str | None, outcome: str) -> None:
        """Count one GraphQL operation: a request over HTTP, or one over WebSocket, which is
        not timed (a subscription lasts as long as its client wants)."""
        self._child(self.requests, self.operations.label(operation_name), outcome).inc()

    def upstream_call(self, call: UpstreamCall) -> None:
        """Count and time one Graph API HTTP request."""
        self._child(self.upstream_calls, call.edge, call.method, call.status).inc()
        self._child(self.upstream_seconds, call.edge, call.method).observe(call.seconds)

    def batch_entry(self, edge: str, method: str, status: str) -> None:
        """Count one call answered inside a batch."""
        self._child(self.upstream_calls, edge, method, status).inc()

    def cache_lookup(self, cache: str, hit: bool) -> None:
        """Count one cache lookup."""
        self._child(self.cache_lookups, cache, "hit" if hit else "miss").inc()

    def flight_joined(self, cache: str) -> None:
        """Count one single-flight join."""
        self._child(self.flight_joins, cache).inc()

    def _child(self, metric: _Metric, *values: str) -> _Metric:
        """metric.labels(*values), made once: labels() validates and locks on every call, a
        few times what counting costs. As many as there are label sets, which are bounded."""
        key = (metric, values)
        child = self._labelled.get(key)
        if child is None:
            child = self._labelled[key] = metric.labels(*values)
        return cast(_Metric, child)

    async def endpoint(self, request: Request) -> Response:
        """`GET /metrics`: every instrument in Prometheus's text format."""
        return Response(generate_latest(self._scraped), media_type=CONTENT_TYPE_LATEST)


class _Workers(Collector):
    """Every worker's counts, added up, and each live worker's `process_*` figures by pid."""

    def __init__(self, directory: str) -> None:
        self._directory = directory

    def collect(self) -> Iterable[Metric]:
        collector = MultiProcessCollector(None, path=self._directory)  # type: ignore[no-untyped-call]
        families = list(collector.collect())  # type: ignore[no-untyped-call]
        pids = sorted(
            {
                sample.labels["pid"]
                for family in families
                if family.name == _WORKER
                for sample in family.samples
            }
        )
        return [*families, *_processes(pids)]


def _processes(pids: Iterable[str]) -> list[Metric]:
    """The `process_*` families of each process, read from /proc, each sample labelled by pid."""
    merged: dict[str, Metric] = {}
    for pid in pids:
        collector = ProcessCollector(pid=functools.partial(str, pid), registry=None)
        for family in collector.collect():
            into = merged.setdefault(
                family.name, Metric(family.name, family.documentation, family.type)
            )
            for sample in family.samples:
                into.add_sample(sample.name, {**sample.labels, "pid": pid}, sample.value)
    return list(merged.values())
