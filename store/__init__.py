"""The area's own data at rest: datasets and their versions, actions and commentary, the local
tidy rows built from them (SQLite on a laptop, PostgreSQL for a team)."""
