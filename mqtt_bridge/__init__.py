"""Everything that speaks MQTT: device state in, commands out, feedback up, rewrite tables down."""

from mqtt_bridge.bridge import Bridge

__all__ = ["Bridge"]
