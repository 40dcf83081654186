"""Monitoring over 30 years: obligations, reports, excess sales, calendars, the LPA's view.

See docs/architecture.md for the layers of the register.
"""
