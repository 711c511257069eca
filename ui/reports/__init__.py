"""The Reports page's views: the data book and quick answers (and the board pack)."""
