"""The multi-turn evaluation seeds every dossier code its set types, in every form the bot accepts."""

from __future__ import annotations

from bot.tools.dialogue_eval import dossier_codes


def test_every_typed_form_of_a_dossier_code_is_seeded():
    turns = [
        {"user": "tra cứu hồ sơ 000.00.12.H29-261102-0001"},
        {"user": "kiểm tra giúp 00.18.H01-251020-0931"},  # the leading "000." left out
        {"user": "hs 000.00.05.h17 - 250930 - 0212 và 000.00.21.H56-250917-0042 sao trễ vậy"},
        {"user": "mã 000.00.12.H29-261102-01 sai"},  # a short sequence is no code: not seeded
    ]
    assert dossier_codes([{"turns": turns}]) == {
        "000.00.12.H29-261102-0001",
        "000.00.18.H01-251020-0931",
        "000.00.05.H17-250930-0212",
        "000.00.21.H56-250917-0042",
    }
