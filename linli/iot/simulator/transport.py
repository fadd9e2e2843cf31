"""Sending what the simulator makes: over MQTT (paho, its network loop in a thread, QoS 0) or
over HTTP to the ingest endpoint; and answering commands the way a device would."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlparse

import orjson
import paho.mqtt.client as paho


class MqttSender:
    def __init__(self, url: str, client_id: str = "linli-simulator"):
        parsed = urlparse(url)
        self.client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id=client_id)
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        self.client.max_queued_messages_set(100_000)
        self.client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883)
        self.client.loop_start()

    def send(self, community: str, device: str, channel: str, payload: bytes) -> None:
        self.client.publish(f"linli/{community}/{device}/{channel}", payload)

    def on_commands(self, community: str, answer) -> None:
        """`answer(device_code, command)` for every command linli publishes to the community."""
        self.client.on_message = lambda c, u, m: answer(m.topic.split("/")[2], orjson.loads(m.payload))
        self.client.subscribe(f"linli/{community}/+/command", qos=1)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


class HttpSender:
    def __init__(self, url: str):
        self.base = url.rstrip("/") + "/api/v1/iot/ingest"

    def send(self, community: str, device: str, channel: str, payload: bytes) -> None:
        request = urllib.request.Request(
            f"{self.base}/{community}/{device}/{channel}",
            data=payload,
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except urllib.error.HTTPError:
            pass  # a refusal is the ingest's to count; the simulator goes on

    def pending(self, community: str, device: str, token: str) -> list[dict]:
        request = urllib.request.Request(
            f"{self.base}/{community}/{device}/commands", headers={"Authorization": f"Bearer {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.load(answer)["commands"]
        except (urllib.error.URLError, ValueError, KeyError):
            return []

    def close(self) -> None:
        pass
