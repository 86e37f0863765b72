"""``python -m account_mgmt.cli``: the ``account-mgmt`` command without the console script."""

from account_mgmt.cli import main

if __name__ == "__main__":
    main(prog_name="account-mgmt")
