"""Views of the Local profile page."""
