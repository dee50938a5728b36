"""The community's content: questions and answers, comments, threads as the pages read them, tags and revisions.

Modules: `posts` (ask, answer, edit, delete and undelete), `comments`, `threads` (the list pages and one whole
thread), `tags`, `revisions` (history and diffs), `edit_conflicts` (an edit begun from an older revision, and its
merged proposal), `submissions` (a form sent again posts once), `mentions` (@username notifies) and `search` (the
question search the views call; the index itself is forum/search/).
"""
