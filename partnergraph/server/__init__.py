"""The HTTP server: settings, the app factory, the GraphQL view, GraphiQL, health and the CLI."""
