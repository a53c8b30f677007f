"""What every state machine task handler sets up the same way: settings and the composition
root at cold start, the masked logger, tracer and metrics, and the parsed pointer input.

A task module is then one decorated function: ``@workflow_task("acknowledge", StepInput)``
over ``def handler(event, container)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

InputT = TypeVar("InputT", bound=StepInput)
Step = Callable[[InputT, Container], Any]
LambdaHandler = Callable[[dict[str, Any], LambdaContext], Any]


def workflow_task(name: str, model: type[InputT]) -> Callable[[Step[InputT]], LambdaHandler]:
    container = Container(get_settings())
    logger = make_logger(name)

    def wrap(step: Step[InputT]) -> LambdaHandler:
        # clear_state: a warm container's next invocation must not log the last request's id.
        @logger.inject_lambda_context(clear_state=True)
        @tracer.capture_lambda_handler
        @metrics.log_metrics
        @event_parser(model=model)
        def handler(event: InputT, context: LambdaContext) -> Any:
            logger.append_keys(request_id=event.request_id)
            return step(event, container)

        handler.__doc__ = step.__doc__
        return handler  # type: ignore[no-any-return]

    return wrap
