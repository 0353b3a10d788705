"""The Flet UI. Views render what the `Client` facade returns and call its actions; they
never touch SQLite or HTTP, and never block the event loop."""
