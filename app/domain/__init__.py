"""The pure core: repair jobs, offers, visits and ratings, and the rules that govern them.

No I/O lives here. The client's optimistic updates and the server's authoritative ones
both call these rules, so a job can only move the same way on either side.
"""
