"""Readers for each shipped national source (DfE, ONS, MoJ), each returning tidy rows."""
