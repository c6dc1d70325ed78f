"""State that instances may share: one small protocol per kind, in memory or in Redis."""
