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

from privacy_rights.runtime.api import operator_identity, resolve, rest_resolver
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings
from privacy_rights.runtime.snapstart import register_restore_hooks

LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


class ApiFunction:
    """One API Lambda: ``settings``, ``container``, ``logger``, ``app`` (declare the routes on
    it) and ``handler`` (the module's Lambda entry point: ``handler = api.handler``)."""

    def __init__(self, name: str, operators_only: bool = False) -> None:
        self.settings = get_settings()
        self.container = Container(self.settings)
        self.logger = make_logger(name)
        self.app = rest_resolver(self.settings, self.logger)
        self._operators_only = operators_only
        self._on_invoke: list[Callable[[LambdaContext], object]] = []
        self.handler = self._handler()

    def operator(self) -> str:
        """The privacy operations staff member calling this (ops APIs only): their IAM session."""
        return operator_identity(
            self.app.current_event, self.settings.ops_role_arn, self.settings.ops_console_role_arn
        )

    def on_invoke(self, hook: Callable[[LambdaContext], object]) -> None:
        """Run ``hook(context)`` at the start of each invocation, before the route: e.g.
        ``IdempotencyConfig.register_lambda_context``, so idempotency records expire with the
        invocation's remaining time."""
        self._on_invoke.append(hook)

    def _handler(self) -> LambdaHandler:
        app, hooks, max_body_bytes = self.app, self._on_invoke, self.settings.max_body_bytes
        # Checked before the resolver, whose validation would otherwise answer a stranger first.
        operators = self.settings.ops_role_arn if self._operators_only else None
        console = self.settings.ops_console_role_arn

        @self.logger.inject_lambda_context(
            correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True
        )
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            for hook in hooks:
                hook(context)
            return resolve(app, event, context, max_body_bytes, operators, console)

        return handler  # type: ignore[no-any-return]


def api_function(name: str, operators_only: bool = False) -> ApiFunction:
    """The shared set-up of the API Lambda ``name`` (its logger's service name); with
    ``operators_only`` every route first checks that the caller is the operations role. The
    public API's functions run under SnapStart: their after-restore hooks are registered here."""
    register_restore_hooks()
    return ApiFunction(name, operators_only)
