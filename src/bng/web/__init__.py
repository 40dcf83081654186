"""The register's web service: GOV.UK Design System pages and the JSON API under ``/api/v1``.

The only package that imports Flask. Views translate requests into calls of the register's
services and their results into pages or JSON; no business rule lives here.
"""
