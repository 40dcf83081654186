"""Who sees what beyond the public register.

A landowner's allocations, an LPA's allocations and credit purchases, messages to a gain site's provider.

See docs/architecture.md for the layers of the register.
"""
