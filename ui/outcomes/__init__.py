"""Views of the Outcomes page."""
