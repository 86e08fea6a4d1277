"""A peer's CAP message as this hotline's case and consent: never wider than the peer allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.cases.fields import parse_case_fields, parse_consent
from alerts.cases.models import CaseKind
from alerts.peers import mapping
from alerts.peers.messages import Info, PeerMessage

NOW = datetime.now(UTC).replace(microsecond=0)


def message(parameters: dict[str, str], geocodes: dict[str, str] | None = None) -> PeerMessage:
    info = Info(
        language="fr-BE", headline="DISPARUE: Lotte", description="Veste rouge.",
        onset=(NOW - timedelta(hours=2)).isoformat(),
        expires=(NOW + timedelta(hours=24)).isoformat(),
        area="Gent", circle="51.0500,3.7300 15", geocodes=geocodes or {"postalCode": "9000"},
        parameters=parameters,
    )  # fmt: skip
    return PeerMessage(identifier="x.1", sender="peer.example", sent=NOW, msg_type="Alert",
                       references=(), infos=(info,))  # fmt: skip


def test_a_message_without_parameters_gets_the_narrowest_consent_and_no_name() -> None:
    found = mapping.consent(message({}), "Peer")
    assert (found["level"], found["photo"], found["forwarding"]) == (1, False, False)
    assert found["name_mode"] == "none"
    fields = mapping.fields(message({}))
    assert fields["first_name"] == "" and fields["kind"] == "runaway"
    parse_case_fields(fields, creating=True)  # what staff could have typed
    parse_consent(found, CaseKind.RUNAWAY, datetime.now(UTC))


def test_the_consent_follows_the_peers_parameters_and_expires_with_its_alert() -> None:
    params = {"consentLevel": "2", "consentPhoto": "true", "consentForwarding": "false",
              "caseKind": "lost_injured", "childName": "Lotte", "childAge": "9"}  # fmt: skip
    found = mapping.consent(message(params, {"BE-province": "VOV"}), "Peer")
    assert (found["level"], found["photo"], found["forwarding"]) == (2, True, False)
    assert (found["name_mode"], found["place_precision"]) == ("first", "province")
    assert datetime.fromisoformat(found["valid_until"]) == NOW + timedelta(hours=24)
    fields = mapping.fields(message(params))
    assert (fields["first_name"], fields["age"], fields["kind"]) == ("Lotte", 9, "lost_injured")
    assert (fields["last_seen_lat"], fields["last_seen_lon"]) == (51.05, 3.73)


def test_parameters_out_of_range_are_not_believed() -> None:
    params = {"consentLevel": "7", "childAge": "99", "childSex": "robot", "caseKind": "x"}
    found = mapping.consent(message(params), "Peer")
    assert found["level"] == 1
    fields = mapping.fields(message(params))
    assert (fields["age"], fields["sex"], fields["kind"]) == (None, None, "runaway")
