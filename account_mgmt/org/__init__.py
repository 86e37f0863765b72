"""Organization-wide jobs: enumerate the organization, plan and apply a desired state.

::

    from account_mgmt import AccountClient
    from account_mgmt.org import (
        AccountSelection, OrganizationsClient, apply, load_desired_state, plan, select_accounts,
    )

    desired = load_desired_state("accounts.yaml")     # checked before anything is read
    with OrganizationsClient() as organizations, AccountClient() as client:
        targets = select_accounts(AccountSelection(ou_paths=("/Prod",)), organizations)
        changes = plan(client, targets, desired)
        result = apply(client, changes)

See ``_select`` (OU paths, skipping), ``_spec`` (the file format) and
``_plan`` (comparison rules) for what each promises.
"""

from account_mgmt.org._apply import AccountApplyOutcome, ApplyResult, apply
from account_mgmt.org._client import MAX_PAGE_SIZE, OrganizationsClient
from account_mgmt.org._errors import (
    AccessDeniedForDependencyException,
    AccountNotFoundException,
    AWSOrganizationsNotInUseException,
    ConcurrentModificationException,
    InvalidInputException,
    OrganizationalUnitNotFoundException,
    ParentNotFoundException,
    ServiceException,
    TargetNotFoundException,
)
from account_mgmt.org._models import (
    ROOT_PATH,
    OrgAccount,
    Organization,
    OrganizationalUnit,
    Root,
)
from account_mgmt.org._plan import (
    AccountPlan,
    Change,
    Plan,
    PlanProblem,
    ProgressEvent,
    plan,
)
from account_mgmt.org._select import (
    AccountSelection,
    SkippedAccount,
    Targets,
    format_ou_path,
    parse_ou_path,
    read_account_ids_file,
    select_accounts,
)
from account_mgmt.org._spec import (
    AccountDesiredState,
    DesiredState,
    DesiredStateError,
    SpecProblem,
    load_desired_state,
    parse_desired_state,
)

__all__ = [
    "MAX_PAGE_SIZE",
    "ROOT_PATH",
    "AWSOrganizationsNotInUseException",
    "AccessDeniedForDependencyException",
    "AccountApplyOutcome",
    "AccountDesiredState",
    "AccountNotFoundException",
    "AccountPlan",
    "AccountSelection",
    "ApplyResult",
    "Change",
    "ConcurrentModificationException",
    "DesiredState",
    "DesiredStateError",
    "InvalidInputException",
    "OrgAccount",
    "Organization",
    "OrganizationalUnit",
    "OrganizationalUnitNotFoundException",
    "OrganizationsClient",
    "ParentNotFoundException",
    "Plan",
    "PlanProblem",
    "ProgressEvent",
    "Root",
    "ServiceException",
    "SkippedAccount",
    "SpecProblem",
    "TargetNotFoundException",
    "Targets",
    "apply",
    "format_ou_path",
    "load_desired_state",
    "parse_desired_state",
    "parse_ou_path",
    "plan",
    "read_account_ids_file",
    "select_accounts",
]
