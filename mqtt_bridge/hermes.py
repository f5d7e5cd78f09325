"""Hermes events for tools of the Rhasspy/Snips era (off unless `config.mqtt.hermes: true`).

    hermes/hotword/<wakeword id>/detected   {siteId, modelId, modelVersion, modelType, currentSensitivity, sessionId}
    hermes/asr/textCaptured                  {text, likelihood, seconds, siteId, sessionId}
    hermes/intent/<intent name>              {input, intent: {intentName, confidenceScore},
                                              slots: [{slotName, rawValue, value: {kind, value},
                                                       entity, range: {start, end}}], siteId, sessionId}

The payload builders are pure functions; `Hermes` publishes them (QoS 0, like Rhasspy) when enabled.
"""

from __future__ import annotations

import json
from typing import Any

from mqtt_bridge.client import MqttClient
from mqtt_bridge.topics import HERMES_TEXT_CAPTURED, hermes_hotword_detected, hermes_intent
from runtime.events import Interpretation, Slot, Transcript, Wake


def hotword_payload(wake: Wake, site_id: str, session_id: str | None = None) -> dict[str, Any]:
    return {
        "siteId": wake.satellite or site_id,
        "modelId": wake.model,
        "modelVersion": "",
        "modelType": "personal",
        "currentSensitivity": float(wake.score),
        "sessionId": session_id,
    }


def text_captured_payload(
    transcript: Transcript, site_id: str, seconds: float, session_id: str | None = None
) -> dict[str, Any]:
    return {
        "text": transcript.text,
        "likelihood": float(transcript.confidence),
        "seconds": float(seconds),
        "siteId": site_id,
        "sessionId": session_id,
    }


def _slot_value(value: str) -> dict[str, Any]:
    try:
        number = float(value)
    except ValueError:
        return {"kind": "Custom", "value": value}
    return {"kind": "Number", "value": int(number) if number.is_integer() else number}


def slot_payload(slot: Slot, text: str) -> dict[str, Any]:
    """Character range of the slot's words in the input (Hermes counts characters, we count words)."""
    start = text.lower().find(slot.value.lower()) if slot.value else -1
    if start < 0 and 0 <= slot.start < slot.end:
        words = text.split()
        start = len(" ".join(words[: slot.start])) + (1 if slot.start else 0)
    start = max(start, 0)
    return {
        "slotName": slot.name,
        "rawValue": slot.value,
        "value": _slot_value(slot.value),
        "entity": slot.name,
        "range": {"start": start, "end": start + len(slot.value)},
    }


def intent_payload(
    interpretation: Interpretation, site_id: str, session_id: str | None = None
) -> dict[str, Any]:
    text = interpretation.text
    return {
        "input": text,
        "intent": {"intentName": interpretation.intent, "confidenceScore": float(interpretation.score)},
        "slots": [slot_payload(s, text) for s in interpretation.slots],
        "siteId": site_id,
        "sessionId": session_id,
    }


class Hermes:
    """Publishes the three Hermes events; does nothing when disabled."""

    def __init__(self, client: MqttClient | None, site_id: str, enabled: bool) -> None:
        self.client, self.site_id, self.enabled = client, site_id, enabled and client is not None
        self.published = 0

    def _send(self, topic: str, body: dict[str, Any]) -> bool:
        if not self.enabled or self.client is None:
            return False
        self.client.publish(topic, json.dumps(body), qos=0)
        self.published += 1
        return True

    def hotword_detected(self, wake: Wake, session_id: str | None = None) -> bool:
        return self._send(
            hermes_hotword_detected(wake.model), hotword_payload(wake, self.site_id, session_id)
        )

    def text_captured(self, transcript: Transcript, seconds: float, session_id: str | None = None) -> bool:
        body = text_captured_payload(transcript, self.site_id, seconds, session_id)
        return self._send(HERMES_TEXT_CAPTURED, body)

    def intent(self, interpretation: Interpretation, session_id: str | None = None) -> bool:
        body = intent_payload(interpretation, self.site_id, session_id)
        return self._send(hermes_intent(interpretation.intent), body)
