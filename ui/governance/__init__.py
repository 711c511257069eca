"""Views of the Governance and assurance page."""
