"""Reputation and what it earns: the ledger, votes and accepts, privileges, badges, and the ledger's audit.

Modules: `ledger` (every reputation change as an event row, and the rules that price them), `votes` (voting and
accepting answers, with their ledger events), `privileges` (what reputation unlocks), `badges` (the awarding hooks
and the back-fill), `badge_catalog` (the badges as plain data, so notifications need not import badges),
`badge_rules` (each badge's criterion as SQL) and `audit` (replay votes and accepts, report drift from the ledger).
"""
