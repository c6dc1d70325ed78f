"""A stand-in for the Graph API's partnership-ad edges, with an admin API and demo data."""
