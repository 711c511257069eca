"""Views of the Map page, and the maps it builds."""
