"""Where untrusted files come in: reading spreadsheets safely, checking them against a schema,
pseudonymising identifiers on arrival, and the templates users fill in."""
