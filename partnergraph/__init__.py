"""partnergraph: a GraphQL API in front of Instagram's Graph API for partnership ads."""
