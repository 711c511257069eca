"""Views of the Benchmarking page."""
