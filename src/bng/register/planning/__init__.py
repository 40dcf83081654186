"""Planning cases: gain plans submitted to LPAs, validated against the register's records, decided.

See docs/architecture.md for the layers of the register.
"""
