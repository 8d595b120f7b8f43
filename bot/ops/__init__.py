"""City operations (issue 12): complaints, the satisfaction survey's storage, the unanswered-question review and
the report for leaders and the hotline supervisor.

Layering: bot/ops reads the tracker store's events and its own tables; it never imports actions/. The actions
(actions/complaints.py, actions/feedback.py) call into it.
"""
