"""Personal data as Decree 13/2023/NĐ-CP expects (issue 16): identifiers never stored, retention, the person's
rights, the notice. Names shared by the NLU component, the policy, the actions and the tracker store."""

PERSONAL_DATA = "personal_data"  # parse data key: kinds of identifiers in the message, never their values
NOTICE_SLOT = "privacy_notice"  # None: new person, "pending": notice due after the first answer, "shown"
PERSONAL_DATA_NOTICE_ACTION = "action_personal_data_notice"
FIRST_NOTICE_ACTION = "action_first_privacy_notice"
# Typed commands that show the privacy notice (Telegram commands cannot hold "-": it sees "/quyen").
PRIVACY_COMMANDS = frozenset({"/quyen-rieng-tu", "/quyen_rieng_tu", "/quyenriengtu", "/quyen", "/privacy"})
FORGET_ACTION = "action_forget_me"  # runs in the chat after "xóa dữ liệu của tôi" is confirmed
