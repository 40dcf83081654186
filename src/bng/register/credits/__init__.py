"""Statutory biodiversity credits: estimates, orders, pricing, fulfilment and proofs of purchase.

See docs/architecture.md for the layers of the register.
"""
