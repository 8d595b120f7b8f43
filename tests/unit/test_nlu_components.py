"""The custom NLU components on real Rasa Message objects."""

from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import InputGuard, VietnameseNormalizer


def _components():
    return VietnameseNormalizer(), InputGuard()


def test_normalizer_folds_text_and_guard_restores_it():
    normalizer, guard = _components()
    message = Message(data={TEXT: "Làm CCCD cho con ở đâu?"})
    normalizer.process([message])
    assert message.get(TEXT) == "lam can cuoc cong dan cho con o dau?"
    guard.process([message])
    assert message.get(TEXT) == "Làm CCCD cho con ở đâu?"
    assert message.get(INTENT) is None  # a real question: the classifier's intent is left alone


def test_with_and_without_diacritics_reach_the_classifier_identically():
    normalizer, _ = _components()
    a, b = Message(data={TEXT: "Lệ phí bao nhiêu"}), Message(data={TEXT: "le phi bao nhieu"})
    normalizer.process([a, b])
    assert a.get(TEXT) == b.get(TEXT)


def test_training_examples_are_folded_once():
    normalizer, _ = _components()
    data = TrainingData([Message(data={TEXT: "Xin chào", INTENT: "greet"})])
    normalizer.process_training_data(data)
    normalizer.process_training_data(data)
    assert data.training_examples[0].get(TEXT) == "xin chao"


def test_button_payloads_are_left_for_the_regex_message_handler():
    normalizer, guard = _components()
    payload = '/choose_procedure{"procedure_code":"1.001193"}'
    message = Message(data={TEXT: payload})
    normalizer.process([message])
    guard.process([message])
    assert message.get(TEXT) == payload


def test_guard_routes_bad_input_to_its_intent():
    normalizer, guard = _components()
    messages = [Message(data={TEXT: t}) for t in ("", "😀", "x" * 5000, "你好")]
    normalizer.process(messages)
    for message in messages:
        message.set(INTENT, {"name": "greet", "confidence": 0.9})
    guard.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["bad_input"] * 3 + ["other_language"]
    assert messages[2].get(TEXT) == "x" * 5000  # nothing the person wrote is lost


def test_dossier_codes_reach_the_classifier_as_one_token():
    normalizer, guard = _components()
    a = Message(data={TEXT: "tra cứu hồ sơ 000.00.12.H29-261120-0001"})
    b = Message(data={TEXT: "tra cuu ho so 000.30.15.h56 - 241105 - 0007"})
    normalizer.process([a, b])
    assert a.get(TEXT) == b.get(TEXT) == "tra cuu ho so qqcodeqq"
    guard.process([a])
    assert a.get(TEXT) == "tra cứu hồ sơ 000.00.12.H29-261120-0001"  # the extractor and actions see the code
