"""People: registering, signing in and changing a profile, server-side sessions, and reading the directory.

Modules: `accounts` (registration, authentication and profile changes), `sessions` (opened at sign-in, ended by
logout, password change, suspension or the user's own revoke) and `users` (the user directory and a profile's
activity).
"""
