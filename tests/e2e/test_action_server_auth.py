"""The action server serves only the Rasa servers: calls without the shared token are refused, Rasa's own calls
(token in `action_endpoint.headers`) work, and without a token only loopback callers get in."""

from types import SimpleNamespace

import pytest
import requests

from actions.server import allowed

CALL = {
    "next_action": "action_handle_bad_input",
    "sender_id": "auth-test",
    "version": "3.6.2",
    "tracker": {
        "sender_id": "auth-test",
        "slots": {},
        "latest_message": {},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    },
    "domain": {},
}


@pytest.mark.rasa
def test_action_calls_need_the_shared_token(rasa_server):
    url = rasa_server.settings.actions_url
    token = rasa_server.settings.actions_token
    assert token
    assert requests.post(url, json=CALL, timeout=10).status_code == 401
    assert requests.post(url, json=CALL, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
    assert requests.post(url, params={"token": "wrong"}, json=CALL, timeout=10).status_code == 401
    assert requests.get(url.replace("/webhook", "/actions"), timeout=10).status_code == 401
    assert requests.get(url.replace("/webhook", "/health"), timeout=10).status_code == 200
    accepted = requests.post(url, json=CALL, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert accepted.status_code == 200 and "events" in accepted.json()
    assert requests.post(url, params={"token": token}, json=CALL, timeout=10).status_code == 200
    # Rasa itself sends the token: a turn that runs a custom action is answered.
    sender = rasa_server.new_sender()
    answer = rasa_server.rest(sender, "tra cứu hồ sơ 000.00.12.H29-261102-0002")
    assert any(m.get("custom", {}).get("type") == "dossier_status" for m in answer)


def _request(ip: str, path: str = "/webhook", headers=None, args=None):
    return SimpleNamespace(ip=ip, path=path, headers=headers or {}, args=args or {})


def test_without_a_token_only_loopback_callers_are_served():
    assert allowed(_request("127.0.0.1"), None)
    assert allowed(_request("::1"), None)
    assert not allowed(_request("192.0.2.10"), None)
    assert allowed(_request("192.0.2.10", path="/health"), None)


def test_with_a_token_the_address_does_not_matter():
    assert not allowed(_request("127.0.0.1"), "s3cret")
    assert allowed(_request("192.0.2.10", headers={"authorization": "Bearer s3cret"}), "s3cret")
    assert allowed(_request("192.0.2.10", args={"token": "s3cret"}), "s3cret")
    assert not allowed(_request("192.0.2.10", headers={"authorization": "Bearer s3cre"}), "s3cret")
