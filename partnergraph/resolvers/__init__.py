"""Plain async Python behind the schema: context, loaders, paging, cache and the domain rules."""
