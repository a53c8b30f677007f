"""The ops API for business customers (AWS_IAM): list the tenants onboarded, show one, onboard
one and bind the principals that speak for it. Onboarding is audited with the caller's IAM
identity and never overwrites a tenant or a binding."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from privacy_rights.ops.customers import TENANT_ID_PATTERN, AddCustomer, Customer, CustomerRow
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_customers", operators_only=True)
app = api.app
TenantId = Annotated[str, Path(pattern=TENANT_ID_PATTERN)]


@app.get("/ops/customers", summary="Business customers (tenants) onboarded")
@tracer.capture_method
def list_customers() -> list[CustomerRow]:
    api.operator()
    return api.container.customer_onboarding.list()


@app.post(
    "/ops/customers",
    summary="Onboard a business customer and bind the principals that speak for it (audited; no overwrite)",
)
@tracer.capture_method
def add_customer(command: Annotated[AddCustomer, Body()]) -> Response[Any]:
    customer = api.container.customer_onboarding.add(command, api.operator())
    return Response(201, content_types.APPLICATION_JSON, customer.model_dump(mode="json"))


@app.get("/ops/customers/<tenant_id>", summary="One business customer: contact, instruction, principals")
@tracer.capture_method
def show_customer(tenant_id: TenantId) -> Customer:
    api.operator()
    return api.container.customer_onboarding.show(tenant_id)


handler = api.handler
