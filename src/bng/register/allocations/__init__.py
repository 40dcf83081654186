"""Allocations: a development uses units of a registered gain site (its spatial risk, its metric).

Also the combined case: register a gain site and allocate from it in one application. See
docs/architecture.md for the layers of the register.
"""
