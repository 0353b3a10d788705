"""The marketplace server: the authority the clients sync with. A real backend (FastAPI,
SQLAlchemy Core, a SQLite file by default), not a mock."""
