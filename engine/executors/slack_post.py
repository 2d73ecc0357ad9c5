"""Slack post executor: a draft (e.g. a social post) posted to a channel for a human to publish."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from engine.execution_ports import ExecutionJob, TargetResult
from engine.model import Target, TargetState


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: customer and product text can never mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def draft_message(job: ExecutionJob) -> str:
    """The message: what it is, then the approved draft exactly as approved."""
    return (
        f"*Draft ready to publish* (approved action `{job.action_id}`)\n"
        f"*{escape(job.subject)}*\n{escape(job.body)}"
    )


class SlackPostDelivery:
    """Posts one message per target; Slack keeps no idempotency key, so nothing is replayed."""

    def __init__(self, client: WebClient, channel: str, job: ExecutionJob) -> None:
        self._client = client
        self._channel = channel
        self._text = draft_message(job)

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        """Post the draft once per target (a social post has one: the product it features)."""
        del keys  # chat.postMessage honours no idempotency key; the worker never replays it
        return [self._post(target) for target in targets]

    def _post(self, target: Target) -> TargetResult:
        try:
            response = self._client.chat_postMessage(
                channel=self._channel, text=self._text, unfurl_links=False
            )
        except SlackApiError as error:
            reason = str(error.response.get("error", "slack_error"))
            return TargetResult(target.key, TargetState.FAILED, f"Slack refused: {reason}")
        return TargetResult(target.key, TargetState.SENT, f"posted as {response.get('ts')}")

    def close(self) -> None:
        """Nothing to release: the WebClient opens a connection per call."""


class SlackPostExecutor:
    """Posts approved drafts to INCOME_CHANNEL."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self._client = client
        self._channel = channel

    @property
    def idempotent(self) -> bool:
        """Slack's chat.postMessage has no idempotency key: an in-flight post becomes unknown."""
        return False

    def open(self, job: ExecutionJob) -> SlackPostDelivery:
        """A delivery for one action."""
        return SlackPostDelivery(self._client, self._channel, job)
