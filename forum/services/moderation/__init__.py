"""Moderation: what staff and trusted users do to keep threads in order.

Modules: `flags` (users report posts; enough flags hide one until a moderator reviews it), `closing` (close and
reopen, by staff or by vote), `locking` (staff freeze a thread), `suspensions` (staff stop a user from posting for a
while) and `suggested_edits` (edits by others, their review queue, and rollbacks). The staff audit log these write
to is shared by every area, so it stays in forum/services/audit_log.py.
"""
