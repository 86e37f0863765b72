"""``AccountClient``: one method per operation of the AWS Account Management API, blocking.

Each method is a typed front door: it names the operation's declaration
(``_operations``) and hands the step (``_steps``, ``_regionswitch``,
``_waiters``) to the blocking driver (``_sync``). ``AsyncAccountClient``
(``_aclient``) has the same doors over the asyncio driver.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Self, TypeVar

from account_mgmt import _operations as ops
from account_mgmt import _sync
from account_mgmt._config import DEFAULT_POLL_INTERVAL, DEFAULT_WAIT_TIMEOUT
from account_mgmt._construction import ClientBase, transport_options
from account_mgmt._http import Transport
from account_mgmt._steps import Steps
from account_mgmt.models import (
    AccountInformation,
    AlternateContact,
    AlternateContactType,
    ContactInformation,
    GetContactInformationResponse,
    GovCloudAccountInformation,
    ListRegionsResponse,
    PrimaryEmailUpdate,
    Region,
    RegionOptStatus,
)
from account_mgmt.pagination import MAX_PAGE_SIZE, PageWalk

T = TypeVar("T")


class AccountClient(ClientBase[Transport]):
    """A typed client for the AWS Account Management API (service ``account``).

    Standalone mode: leave ``account_id`` out and each call acts on the
    caller's own account. Organization mode: pass ``account_id`` of a member
    account, calling from the management account or the delegated
    administrator, with trusted access for ``account.amazonaws.com`` enabled.

    Every option not given is read as the AWS SDKs read it (environment, then
    the profile), falling back to the package's documented defaults
    (``ClientConfig``). The client is safe to share between threads;
    ``close()`` (or ``with``) releases its connection pool.

    Calls are paced at the service's documented per-operation quotas
    (``DOCUMENTED_QUOTAS``), shared by every client built with the same
    ``runtime`` (by default the process's, ``default_runtime()``) and the
    same credentials; ``rate_limiting=False`` turns that off and
    ``quota_overrides={"GetAlternateContact": Quota(20, 20)}`` changes rates.
    Region switches are gated at the service's concurrency caps (6 per
    account; 20 per organization, a setting since newer AWS pages say 50):
    past a cap, ``enable_region`` waits for a Region it set switching to settle.

    ``runtime=Runtime(clock=FakeClock())`` gives a test its own limits and a
    clock that never waits; ``transport=`` replaces HTTP (any object with
    ``send(HttpRequest, *, deadline) -> HttpResponse`` and ``close()``);
    ``rng`` is the retry jitter's source.

    Raises:
        ConfigurationError: an option is invalid.
        CredentialsError: the named profile does not exist, or only half a key pair was given.
    """

    def _new_transport(self) -> Transport:
        from account_mgmt._transport import (
            RequestsTransport,  # requests loads with the first client
        )

        return RequestsTransport(**transport_options(self._path.config))

    def close(self) -> None:
        """Release the connection pool. Copies from ``with_options`` that share it lose it too."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, steps: Steps[T]) -> T:
        return _sync.run(steps, self._transport, self._path.clock)

    # -- alternate contacts -----------------------------------------------------

    def get_alternate_contact(
        self, *, alternate_contact_type: AlternateContactType | str, account_id: str | None = None
    ) -> AlternateContact:
        """The alternate contact of one type.

        Raises:
            ParamValidationError: before sending, for bad input.
            ResourceNotFoundException: no contact of that type is set.
            AccessDeniedException: see ``AccountClient`` on organization mode.
            MalformedResponseError: a success answer without the contact.
        """
        return self._run(
            self._path.call(
                ops.GET_ALTERNATE_CONTACT,
                {"alternate_contact_type": alternate_contact_type, "account_id": account_id},
            )
        )

    def put_alternate_contact(
        self,
        *,
        alternate_contact_type: AlternateContactType | str,
        name: str,
        title: str,
        email_address: str,
        phone_number: str,
        account_id: str | None = None,
    ) -> None:
        """Create or replace the alternate contact of one type (an upsert; retried when lost).

        Raises:
            ParamValidationError: before sending, for bad input.
        """
        self._run(
            self._path.call(
                ops.PUT_ALTERNATE_CONTACT,
                {
                    "alternate_contact_type": alternate_contact_type,
                    "name": name,
                    "title": title,
                    "email_address": email_address,
                    "phone_number": phone_number,
                    "account_id": account_id,
                },
            )
        )

    def delete_alternate_contact(
        self, *, alternate_contact_type: AlternateContactType | str, account_id: str | None = None
    ) -> None:
        """Delete the alternate contact of one type.

        If the answer is lost after the request was sent, the delete is sent
        once more and a "not found" then counts as done.

        Raises:
            ResourceNotFoundException: there was none (e.g. a second delete).
        """
        self._run(
            self._path.call(
                ops.DELETE_ALTERNATE_CONTACT,
                {"alternate_contact_type": alternate_contact_type, "account_id": account_id},
            )
        )

    # -- primary contact ----------------------------------------------------------

    def get_contact_information(
        self, *, account_id: str | None = None
    ) -> GetContactInformationResponse:
        """The primary contact and its phone verification status.

        Returns the whole answer, not just ``ContactInformation``, so that
        ``verification_status`` is kept.

        Raises:
            ResourceNotFoundException: no contact information is set.
            MalformedResponseError: a success answer without the contact information.
        """
        return self._run(self._path.call(ops.GET_CONTACT_INFORMATION, {"account_id": account_id}))

    def put_contact_information(
        self, *, contact_information: ContactInformation, account_id: str | None = None
    ) -> None:
        """Replace the primary contact.

        Raises:
            ParamValidationError: before sending, naming e.g.
                ``contact_information.phone_number`` and the rule it broke.
        """
        self._run(
            self._path.call(
                ops.PUT_CONTACT_INFORMATION,
                {"contact_information": contact_information, "account_id": account_id},
            )
        )

    # -- Regions ------------------------------------------------------------------

    def get_region_opt_status(self, *, region_name: str, account_id: str | None = None) -> Region:
        """The opt-in status of one Region.

        Raises:
            ParamValidationError: before sending, for bad input.
            MalformedResponseError: a success answer without the status.
        """
        return self._run(self._path.get_region_opt_status(region_name, account_id))

    def list_regions(
        self,
        *,
        account_id: str | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
        region_opt_status_contains: Sequence[RegionOptStatus | str] | None = None,
    ) -> ListRegionsResponse:
        """One page of Regions with their opt-in status; see ``iter_regions`` for all."""
        return self._run(
            self._path.call(
                ops.LIST_REGIONS,
                {
                    "account_id": account_id,
                    "max_results": max_results,
                    "next_token": next_token,
                    "region_opt_status_contains": region_opt_status_contains,
                },
            )
        )

    def iter_regions(
        self,
        *,
        account_id: str | None = None,
        region_opt_status_contains: Sequence[RegionOptStatus | str] | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[Region]:
        """Every Region across all pages, fetched lazily, ``page_size`` at a time.

        Raises:
            PaginationError: the service repeated a page token, or kept handing
                out new ones past ``MAX_PAGES``.
        """
        walk = PageWalk()
        token: str | None = None
        while True:
            page = self.list_regions(
                account_id=account_id,
                max_results=page_size,
                next_token=token,
                region_opt_status_contains=region_opt_status_contains,
            )
            yield from page.regions
            token = walk.next_token(page.next_token)
            if token is None:
                return

    def enable_region(
        self,
        *,
        region_name: str,
        account_id: str | None = None,
        wait: bool = False,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        """Opt in to a Region; with ``wait=True``, return only once it is ENABLED.

        Reads the Region's status first and sends nothing if it is already
        ENABLED, ENABLING or ENABLED_BY_DEFAULT. If the answer to EnableRegion
        is lost, the status says whether it took, instead of a blind resend;
        if it is a ConflictException (or the ValidationException the service
        is reported to send instead) because another caller's enable of the
        same Region got there first, the Region is on its way: success.

        Raises:
            ParamValidationError: ``wait`` not a bool, ``timeout`` or
                ``poll_interval`` out of range (before anything is sent).
            ConflictException: the Region is DISABLING.
            ValidationException: the Region cannot be opted in to.
            RegionOptConcurrencyExceeded: the service's cap stayed full (with
                switches this runtime did not start) until ``timeout``.
            WaiterFailedError, WaiterTimeoutError: with ``wait=True``.
        """
        self._switch(True, region_name, account_id, wait, timeout, poll_interval)

    def disable_region(
        self,
        *,
        region_name: str,
        account_id: str | None = None,
        wait: bool = False,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        """Opt out of a Region; with ``wait=True``, return only once it is DISABLED.

        Sends nothing if the Region is already DISABLED or DISABLING; a lost
        answer, a ConflictException or a ValidationException is settled by
        the Region's status, as for ``enable_region``.

        Raises:
            ParamValidationError: ``wait`` not a bool, ``timeout`` or
                ``poll_interval`` out of range (before anything is sent).
            ConflictException: the Region is ENABLING.
            ValidationException: the Region is enabled by default and cannot be disabled.
            WaiterFailedError, WaiterTimeoutError: with ``wait=True``.
        """
        self._switch(False, region_name, account_id, wait, timeout, poll_interval)

    def _switch(
        self,
        enabling: bool,
        region_name: str,
        account_id: str | None,
        wait: bool,
        timeout: float,
        poll_interval: float,
    ) -> None:
        # The Region gate's steps and the waiter load with their first use: a
        # client that never switches a Region never imports them.
        from account_mgmt._regionswitch import DISABLE, ENABLE, ensure_region
        from account_mgmt._waiters import check_wait_options

        # Before the first call: a bad option found after the switch was sent
        # would leave it half done.
        check_wait_options(timeout=timeout, poll_interval=poll_interval, wait=wait)
        self._run(
            ensure_region(
                self._path,
                ENABLE if enabling else DISABLE,
                region_name=region_name,
                account_id=account_id,
                wait=wait,
                timeout=timeout,
                poll_interval=poll_interval,
            )
        )

    def wait_for_region_opt_status(
        self,
        *,
        region_name: str,
        statuses: Collection[RegionOptStatus | str] = (RegionOptStatus.ENABLED,),
        account_id: str | None = None,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> Region:
        """Poll GetRegionOptStatus until the Region is in one of ``statuses``.

        Raises:
            ParamValidationError: ``statuses`` empty, a bare string, or holding
                a value that is not a ``RegionOptStatus``; ``timeout`` below 0
                or ``poll_interval`` not above it.
            WaiterFailedError: the Region is switching the other way.
            WaiterTimeoutError: ``timeout`` seconds passed first.
        """
        from account_mgmt._waiters import check_wait_options, wait_for_region_opt_status

        wanted = check_wait_options(timeout=timeout, poll_interval=poll_interval, statuses=statuses)
        return self._run(
            wait_for_region_opt_status(
                self._path,
                region_name=region_name,
                account_id=account_id,
                statuses=wanted,
                timeout=timeout,
                poll_interval=poll_interval,
            )
        )

    # -- account --------------------------------------------------------------------

    def get_account_information(self, *, account_id: str | None = None) -> AccountInformation:
        """The account's id, name, creation date and state."""
        return self._run(self._path.call(ops.GET_ACCOUNT_INFORMATION, {"account_id": account_id}))

    def put_account_name(self, *, account_name: str, account_id: str | None = None) -> None:
        """Rename the account."""
        self._run(
            self._path.call(
                ops.PUT_ACCOUNT_NAME, {"account_name": account_name, "account_id": account_id}
            )
        )

    def get_primary_email(self, *, account_id: str) -> str:
        """The root user's email address of a member account (organization mode only)."""
        return self._run(self._path.call(ops.GET_PRIMARY_EMAIL, {"account_id": account_id}))

    def start_primary_email_update(self, *, account_id: str, primary_email: str) -> str:
        """Send a one-time password to the new address; returns the update status.

        Raises:
            OutcomeUnknownError: the answer was lost; it is not resent.
        """
        return self._run(
            self._path.call(
                ops.START_PRIMARY_EMAIL_UPDATE,
                {"account_id": account_id, "primary_email": primary_email},
            )
        )

    def accept_primary_email_update(self, *, account_id: str, primary_email: str, otp: str) -> str:
        """Confirm a primary email change with the one-time password; returns the status.

        Raises:
            OutcomeUnknownError: the answer was lost; it is not resent.
        """
        return self._run(
            self._path.call(
                ops.ACCEPT_PRIMARY_EMAIL_UPDATE,
                {"account_id": account_id, "primary_email": primary_email, "otp": otp},
            )
        )

    def get_primary_email_update_status(
        self, *, account_id: str | None = None
    ) -> PrimaryEmailUpdate:
        """Where the latest primary email change stands, and since when."""
        return self._run(
            self._path.call(ops.GET_PRIMARY_EMAIL_UPDATE_STATUS, {"account_id": account_id})
        )

    def get_gov_cloud_account_information(
        self, *, standard_account_id: str | None = None
    ) -> GovCloudAccountInformation:
        """The GovCloud account linked to a standard account.

        Raises:
            ResourceNotFoundException: no GovCloud account is linked.
            ResourceUnavailableException: the information cannot be read now.
        """
        return self._run(
            self._path.call(
                ops.GET_GOV_CLOUD_ACCOUNT_INFORMATION, {"standard_account_id": standard_account_id}
            )
        )

    def send_phone_number_verification(self, *, account_id: str | None = None) -> str:
        """Send a one-time password to the primary contact's phone; returns the status.

        Raises:
            OutcomeUnknownError: the answer was lost; it is not resent.
        """
        return self._run(
            self._path.call(ops.SEND_PHONE_NUMBER_VERIFICATION, {"account_id": account_id})
        )

    def verify_phone_number(self, *, otp: str, account_id: str | None = None) -> str:
        """Verify the primary contact's phone with the one-time password; returns the status.

        Raises:
            OutcomeUnknownError: the answer was lost; it is not resent.
        """
        return self._run(
            self._path.call(ops.VERIFY_PHONE_NUMBER, {"otp": otp, "account_id": account_id})
        )
