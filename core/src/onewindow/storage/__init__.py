"""Storage: peewee rows, kept apart from the domain classes, on SQLite or PostgreSQL."""
