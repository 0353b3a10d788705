"""One router per resource: sign-in, sync, photos."""
