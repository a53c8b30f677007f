"""The local stack: every resource of template.yaml on moto, the real state machine
definition running the real handlers in-process, and an HTTP front door on 127.0.0.1."""
