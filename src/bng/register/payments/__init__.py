"""Fees paid by card through GOV.UK Pay (its adapter and its local stand-in).

See docs/architecture.md for the layers of the register.
"""
