"""The webhook executor: a signed JSON POST per target with an Idempotency-Key header.

The body is signed with HMAC-SHA256 of INCOME_WEBHOOK_SECRET (`X-Income-Signature:
sha256=<hex>`); the receiver deduplicates on `Idempotency-Key`, so connection errors and
408/409/429/5xx replies are retried, honouring Retry-After, within the policy's bound.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from engine.execution_ports import Delivery, ExecutionJob, TargetResult
from engine.executors.retry import RetryPolicy, TransientError
from engine.model import Target, TargetState

SIGNATURE_HEADER = "X-Income-Signature"
RETRIED_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
_SERVER_ERROR = 500


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(job: ExecutionJob, target: Target, key: str) -> dict[str, Any]:
    """What the webhook receives for one target."""
    return {
        "action_id": job.action_id,
        "kind": job.kind.value,
        "variant": job.variant,
        "idempotency_key": key,
        "params": job.param_map(),
        "subject": job.subject,
        "body": job.body,
        "target": {
            "key": target.key,
            "customer_id": target.customer_id,
            "ref": target.ref,
            "value": target.value,
        },
        "at": job.at.isoformat(),
    }


@dataclass(frozen=True, slots=True)
class WebhookExecutor:
    """POSTs each target of an approved action to INCOME_WEBHOOK_URL."""

    url: str
    secret: str = field(repr=False)
    timeout: float = 10.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def idempotent(self) -> bool:
        """The receiver deduplicates on our Idempotency-Key."""
        return True

    def open(self, job: ExecutionJob) -> Delivery:
        """A session with one pooled HTTP connection."""
        return _WebhookDelivery(self, job)


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After", "").strip()
    return float(raw) if raw.replace(".", "", 1).isdigit() else None


def _retried(error: BaseException) -> bool:
    return isinstance(error, TransientError | requests.ConnectionError | requests.Timeout)


class _WebhookDelivery:
    def __init__(self, executor: WebhookExecutor, job: ExecutionJob) -> None:
        self._executor = executor
        self._job = job
        self._session = requests.Session()

    def send(self, targets: Sequence[Target], keys: Sequence[str]) -> list[TargetResult]:
        return [self._post(target, key) for target, key in zip(targets, keys, strict=True)]

    def close(self) -> None:
        self._session.close()

    def _attempt(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        """One POST; a retried status becomes a TransientError carrying Retry-After."""
        executor = self._executor
        response = self._session.post(
            executor.url, data=body, headers=headers, timeout=executor.timeout
        )
        if response.status_code in RETRIED_STATUSES or response.status_code >= _SERVER_ERROR:
            raise TransientError(f"HTTP {response.status_code}", _retry_after(response))
        return response

    def _post(self, target: Target, key: str) -> TargetResult:
        body = json.dumps(payload(self._job, target, key), sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": key,
            SIGNATURE_HEADER: sign(self._executor.secret, body),
        }
        try:
            for attempt in self._executor.retry.retrying(_retried):
                with attempt:
                    response = self._attempt(body, headers)
        except TransientError as error:
            return TargetResult(target.key, TargetState.FAILED, f"webhook gave up: {error}")
        except requests.RequestException as error:
            return TargetResult(target.key, TargetState.FAILED, f"webhook: {type(error).__name__}")
        if not response.ok:
            return TargetResult(target.key, TargetState.FAILED, f"HTTP {response.status_code}")
        return TargetResult(target.key, TargetState.SENT)
