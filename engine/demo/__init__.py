"""The built-in demo shop: a seeded simulator writing real rows, and its responses to actions."""

from engine.demo.deliver import DeliveryResult
from engine.demo.outcomes import Attribution
from engine.demo.shop import DemoShop
from engine.demo.simulate import ConcurrentAdvanceError, DemoNotStartedError, Progress
from engine.demo.state import DemoState
from engine.demo.truth import Incident

__all__ = [
    "Attribution",
    "ConcurrentAdvanceError",
    "DeliveryResult",
    "DemoNotStartedError",
    "DemoShop",
    "DemoState",
    "Incident",
    "Progress",
]
