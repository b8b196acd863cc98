"""Providers: where a rendered message goes (Twilio, Roboflow's proxy, memory for tests)."""

from .base import Provider
from .memory import MemoryProvider
from .roboflow import RoboflowManagedProvider
from .twilio import TwilioProvider

__all__ = ["MemoryProvider", "Provider", "RoboflowManagedProvider", "TwilioProvider"]
