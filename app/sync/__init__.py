"""Sync: the wire protocol shared with the server, and the engine that runs rounds."""
