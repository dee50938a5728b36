"""Domain functions: explicit arguments in, models or DomainError out. They flush; the request commits.

Grouped by area: `community`, `reputation`, `moderation`, `people`, `outreach`, `insights`, `faq` and `seo`. The modules
every area shares stay here: `errors`, `audit_log`, `site_settings`, `business_hours` and `row_locks`.
"""
