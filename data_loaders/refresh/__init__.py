"""Fetching the newest national releases from DfE's statistics service (`python -m data_loaders.refresh.command`)."""
