"""Money beyond due and received: overpayments and part refunds, the bank details, invoice PDFs.

See docs/architecture.md for the layers of the register.
"""
