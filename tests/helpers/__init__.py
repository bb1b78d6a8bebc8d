"""Functions in another module, for tests of calls across modules."""
