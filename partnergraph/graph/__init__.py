"""The Graph API as the resolvers see it: an httpx client, its errors and its usage reports."""
