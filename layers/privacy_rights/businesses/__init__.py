"""Business customers: their standing instructions, the customer API's service and signed webhooks."""
