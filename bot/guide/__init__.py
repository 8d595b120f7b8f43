"""Guided online filing (issue 5): pure step builder over catalog records.

    from bot.guide import steps, guide_settings
    s = guide_settings()                           # portal names/URLs, hotline, upload limits from env
    steps.plan(record)                              # ["intro", "vneid", ...] or [] for in-person only
    steps.build_step(record, "upload", s, case=2)  # Message(response, variables, buttons)
    steps.checklist(record, s)                      # the printable checklist

The Rasa glue is actions/online_guide.py; user-facing sentences are the utter_guide_* domain responses.
"""

from bot.guide.settings import GuideSettings, guide_settings

__all__ = ["GuideSettings", "guide_settings"]
