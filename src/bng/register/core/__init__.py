"""What every area of the register shares.

The records, the ports, errors, the audit log, references, roles, date rules, fees, files, geometries, places
and LPAs, the capacity ledger, one-time submissions, the digest kept of a secret token and the outbox.

See docs/architecture.md for the layers of the register.
"""
