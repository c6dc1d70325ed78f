"""The GraphQL schema: Strawberry declarations only, resolving through partnergraph.resolvers."""
