"""E-mails through GOV.UK Notify.

The port, its adapter, its local stand-in and the worker that sends the queued outbox.

See docs/architecture.md for the layers of the register.
"""
