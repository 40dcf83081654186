"""The public register and its open data: read only, no personal data.

See docs/architecture.md for the layers of the register.
"""
