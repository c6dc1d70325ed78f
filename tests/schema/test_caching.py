"""What may be cached is decided by the operation's type and by fields marked uncached."""

from collections.abc import AsyncIterator

import pytest
from asgi_lifespan import LifespanManager

from partnergraph.resolvers.context import RequestContext, Services
from partnergraph.schema.build import schema
from partnergraph.server.app import create_app
from partnergraph.server.settings import Settings
from tests.demo import Demo


@pytest.fixture
async def services(emulator_url: str) -> AsyncIterator[Services]:
    """The services of a running app reading from the emulator."""
    app = create_app(Settings(graph_url=emulator_url))
    async with LifespanManager(app):
        app_services: Services = app.state.services
        yield app_services


@pytest.mark.parametrize(
    ("document", "cacheable"),
    [
        ("{ __typename }", True),
        ("query($id: ID!) { brand(igId: $id) { permissions(first: 1) { nodes { id } } } }", True),
        # No resolver runs: the operation's type alone keeps a mutation out of the cache.
        ("mutation { __typename }", False),
        (
            "mutation($id: ID!) { requestPermission(input: {brandId: $id}) "
            "{ userErrors { code } } }",
            False,
        ),
        ("{ rateLimit { appCallCount } }", False),
        (
            "query($id: ID!) { brand(igId: $id) { igId } ...Usage } fragment Usage on Query "
            "{ usage: rateLimit { appCallCount } }",
            False,
        ),
    ],
)
async def test_only_queries_without_uncached_fields_may_be_cached(
    services: Services, demo: Demo, document: str, cacheable: bool
) -> None:
    context = RequestContext(services=services, credentials=services.credentials(demo.agency))
    variables = {"id": demo.big_brand} if "$id" in document else None
    result = await schema.execute(document, variable_values=variables, context_value=context)
    assert result.errors is None
    assert context.live is not cacheable
