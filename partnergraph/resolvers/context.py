"""The app-wide services and the typed per-request context that resolvers receive."""

import hashlib
import hmac
from dataclasses import dataclass, field

from partnergraph.errors import Unauthenticated
from partnergraph.graph.client import MAX_TOKEN, Credentials, GraphClient
from partnergraph.graph.usage import UsageLedger
from partnergraph.resolvers.budgets import DailyBudgets
from partnergraph.resolvers.cache import AnswerCache, ReadCache
from partnergraph.resolvers.loaders import PageLoader
from partnergraph.resolvers.watch import Watchers
from partnergraph.state.store import Store
from partnergraph.state.windows import Windows


@dataclass(frozen=True, slots=True)
class Services:
    """What every request shares, created once in the app's lifespan."""

    client: GraphClient
    cache: ReadCache
    answers: AnswerCache | None
    ledger: UsageLedger
    budgets: DailyBudgets
    scope_key: bytes
    scan_budget: int
    documents: Store[str]
    """GraphQL documents registered by hash (automatic persisted queries)."""
    windows: Windows
    """Counted calls in sliding windows, shared by every instance (registrations per token)."""
    watchers: Watchers
    max_nodes: int
    """Nodes one answer may hold (PARTNERGRAPH_MAX_NODES)."""

    def credentials(self, token: str) -> Credentials:
        """The credentials of a token, with its keyed hash as scope."""
        digest = hmac.new(self.scope_key, token.encode(), hashlib.sha256).hexdigest()
        return Credentials(token=token, scope=digest[:32])


@dataclass(slots=True)
class RequestContext:
    """One GraphQL request's view of the services, its caller's token and its page loader."""

    services: Services
    credentials: Credentials | None
    touched: dict[str, int | None] = field(default_factory=dict)
    """Owners whose upstream data this request read, with their data generation then."""
    fresh: bool = False
    """Whether upstream reads skip the cache (and refresh it): a poll behind subscriptions."""
    connection_params: dict[str, object] | None = None
    """A WebSocket's connection_init payload (Strawberry sets it): may carry the token."""
    live: bool = False
    """Whether the answer must not be reused: partnergraph.schema.caching decides it."""
    oldest_read: float | None = None
    """When the oldest upstream read this request used was made (cached ones included)."""
    _pages: PageLoader | None = field(default=None, repr=False)

    def operation(self) -> "RequestContext":
        """A context for one operation of this one's WebSocket connection: the same caller,
        nothing read yet, as each HTTP request starts."""
        return RequestContext(
            services=self.services,
            credentials=self.credentials,
            connection_params=self.connection_params,
        )

    @property
    def scope(self) -> str | None:
        """The caller's token scope, if it sent a token."""
        return self.credentials.scope if self.credentials else None

    def require_credentials(self) -> Credentials:
        """The caller's credentials; Unauthenticated when it sent no usable token."""
        if self.credentials is None:
            raise Unauthenticated(
                "Send a Graph API user access token as `Authorization: Bearer <token>`: "
                f"printable ASCII, at most {MAX_TOKEN} characters."
            )
        return self.credentials

    @property
    def pages(self) -> PageLoader:
        """The request's page loader; Unauthenticated when it sent no token."""
        if self._pages is None:
            services = self.services
            self._pages = PageLoader(
                services.client,
                services.cache,
                services.budgets,
                self.require_credentials(),
                self.touched,
                read_at=self._read_at,
                fresh=self.fresh,
            )
        return self._pages

    def _read_at(self, at: float) -> None:
        if self.oldest_read is None or at < self.oldest_read:
            self.oldest_read = at
