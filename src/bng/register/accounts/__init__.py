"""Accounts, passwords, organisations and API tokens. They use the core only, and only the wiring uses them.

See docs/architecture.md for the layers of the register.
"""
