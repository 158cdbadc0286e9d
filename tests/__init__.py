"""cmp test suite."""
