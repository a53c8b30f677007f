"""What every API handler sets up the same way: settings and the composition root at cold start,
the masked logger, the resolver (validation, CORS, the error map) and the Lambda handler with its
Powertools decorators, which refuses an oversized body before anything parses it.

An API module is then its routes::

    api = api_function("verify")
    app = api.app


    @app.post("/requests/<request_id>/verify")
    @tracer.capture_method
    def verify(request_id: ..., attempt: Annotated[VerifyAttempt, Body()]) -> VerifyResult:
        return api.container.verification.verify(...)


    handler = api.handler

(the state machine's tasks have ``task_handler.workflow_task``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.runtime.api import resolve, rest_resolver
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class ApiFunction:
    """One API Lambda: ``settings``, ``container``, ``logger``, ``app`` (declare the routes on
    it) and ``handler`` (the module's Lambda entry point: ``handler = api.handler``)."""

    def __init__(self, name: str) -> None:
        self.settings = get_settings()
        self.container = Container(self.settings)
        self.logger = make_logger(name)
        self.app = rest_resolver(self.settings, self.logger)
        self._on_invoke: list[Callable[[LambdaContext], object]] = []
        self.handler = self._handler()

    def on_invoke(self, hook: Callable[[LambdaContext], object]) -> None:
        """Run ``hook(context)`` at the start of each invocation, before the route: e.g.
        ``IdempotencyConfig.register_lambda_context``, so idempotency records expire with the
        invocation's remaining time."""
        self._on_invoke.append(hook)

    def _handler(self) -> LambdaHandler:
        app, hooks, max_body_bytes = self.app, self._on_invoke, self.settings.max_body_bytes

        @self.logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            for hook in hooks:
                hook(context)
            return resolve(app, event, context, max_body_bytes)

        return handler  # type: ignore[no-any-return]


def api_function(name: str) -> ApiFunction:
    """The shared set-up of the API Lambda ``name`` (its logger's service name)."""
    return ApiFunction(name)
