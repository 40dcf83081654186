"""Who may do what: the roles of the register and the permissions each one holds.

Routes and services ask for a permission, never for a role, so that a new role (or issue 6's
credit work) adds rows to :data:`PERMISSIONS` instead of editing checks all over the code.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """An account's role; what it may do is in :data:`PERMISSIONS`, not in checks of the role."""

    LANDOWNER = "landowner"  # a landowner, or an agent acting for one
    DEVELOPER = "developer"
    LPA_OFFICER = "lpa_officer"  # bound to one local planning authority
    CASE_WORKER = "case_worker"  # Natural England's register team, who also keep the reference lists


ROLE_LABELS: dict[Role, str] = {
    Role.LANDOWNER: "Landowner or agent",
    Role.DEVELOPER: "Developer",
    Role.LPA_OFFICER: "Local planning authority (LPA) officer",
    Role.CASE_WORKER: "Register case worker",
}

SELF_SERVICE_ROLES: tuple[Role, ...] = (Role.LANDOWNER, Role.DEVELOPER)
"""Roles a person may choose when creating their own account; the others are given by a case worker."""


class Permission(StrEnum):
    """A thing an account may do, which routes and services ask for."""

    APPLY_TO_REGISTER = "apply_to_register"  # start and submit registration applications
    ALLOCATE = "allocate"  # record that a development uses units from a gain site
    VIEW_LPA_CASES = "view_lpa_cases"  # the gain sites and allocations of one's own LPA
    REVIEW_APPLICATIONS = "review_applications"  # the queue: further information, accept, reject
    RECORD_PAYMENTS = "record_payments"
    AMEND_REGISTER = "amend_register"  # amendments and removals of registered gain sites
    MANAGE_REFERENCE_DATA = "manage_reference_data"  # the responsible bodies list
    MANAGE_ACCOUNTS = "manage_accounts"  # create LPA officer and case worker accounts
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_ALL_FILES = "view_all_files"  # documents of any application, published or not
    BUY_CREDITS = "buy_credits"  # order statutory biodiversity credits for one's own development (no agents)
    PROCESS_CREDIT_ORDERS = "process_credit_orders"  # due diligence, invoice, payment, allocation, proof, refund
    MANAGE_CREDIT_PRICES = "manage_credit_prices"  # the credit price table and VAT rates, with effective dates
    VIEW_LPA_CREDITS = "view_lpa_credits"  # the proofs of purchase sent to one's own LPA
    SUBMIT_GAIN_PLAN = "submit_gain_plan"  # submit a development's biodiversity gain plan to its LPA
    DETERMINE_GAIN_PLANS = "determine_gain_plans"  # validate and decide the gain plans of one's own LPA
    REPORT_MONITORING = "report_monitoring"  # report on one's own obligations over 30 years; sell one's own excess
    REVIEW_MONITORING = "review_monitoring"  # the obligations of one's own LPA: reports, remedial action, fees
    VIEW_OWN_SITE_ALLOCATIONS = "view_own_site_allocations"  # the allocations made against one's own gain sites
    MESSAGE_PROVIDERS = "message_providers"  # send a message to a gain site's provider through the service


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.LANDOWNER: frozenset(
        {
            Permission.APPLY_TO_REGISTER,
            Permission.ALLOCATE,
            Permission.REPORT_MONITORING,
            Permission.VIEW_OWN_SITE_ALLOCATIONS,
        }
    ),
    Role.DEVELOPER: frozenset(
        {
            Permission.ALLOCATE,
            Permission.BUY_CREDITS,
            Permission.SUBMIT_GAIN_PLAN,
            Permission.REPORT_MONITORING,
            Permission.MESSAGE_PROVIDERS,
        }
    ),
    Role.LPA_OFFICER: frozenset(
        {
            Permission.VIEW_LPA_CASES,
            Permission.VIEW_LPA_CREDITS,
            Permission.DETERMINE_GAIN_PLANS,
            Permission.REVIEW_MONITORING,
            Permission.MESSAGE_PROVIDERS,
        }
    ),
    Role.CASE_WORKER: frozenset(
        {
            Permission.REVIEW_APPLICATIONS,
            Permission.RECORD_PAYMENTS,
            Permission.AMEND_REGISTER,
            Permission.MANAGE_REFERENCE_DATA,
            Permission.MANAGE_ACCOUNTS,
            Permission.VIEW_AUDIT_LOG,
            Permission.VIEW_ALL_FILES,
            Permission.PROCESS_CREDIT_ORDERS,
            Permission.MANAGE_CREDIT_PRICES,
        }
    ),
}


def can(role: Role | str | None, permission: Permission) -> bool:
    """Whether a role (None for the public, who have no account) holds a permission."""
    if role is None:
        return False
    return permission in PERMISSIONS.get(Role(role), frozenset())
