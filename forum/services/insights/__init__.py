"""What staff read about the support they give: the dashboard's figures, outcome feedback and customer labels.

Modules: `dashboard` (volume, response times, resolution, the queue, people and tags for a period), `feedback`
("Did this solve your problem?" on FAQ entries and threads, and its rates) and `customer_labels` (staff label
threads as a bug, a feature request or feedback).
"""
