"""Comparison with neighbours, region and England, shared by the Benchmarking and Governance pages."""
