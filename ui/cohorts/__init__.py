"""Views of the Cohorts page."""
