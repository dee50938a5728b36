"""Reaching people beyond the page: notifications, e-mail and chat alerts, queued in the request's transaction and
sent after it commits.

Modules: `notifications` (the inbox, and e-mail for those who asked for it), `mail` (queue e-mail and send it from a
background thread), `alerts` (which events go to which chat webhooks, and managing the webhooks) and `webhooks`
(delivering queued alerts: payload formats, signing, retries and the background sender).
"""
