"""Storage: SQLAlchemy 2 async tables and the repositories behind the tracker's ports."""
