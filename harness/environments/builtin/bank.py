"""A small bank: accounts found by their owner's name, balances, transfers and their history.

Standard library only, no module-level state, no clock and no randomness: the sandbox loads this file on its own,
and a replay of the same calls from the same state gives the same results and ids.
"""

from __future__ import annotations

import copy

from harness.environments.builtin.state_fields import checked_fields

_ACCOUNT_TYPES = ("checking", "savings")


class Bank:
    """Accounts by id (`A-1234`), each with an owner, a type and a whole-dollar balance."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.transactions: list[dict] = []
        self.next_transaction: int = 1

    def _load_scenario(self, state: dict, long_context: bool = False) -> None:
        """Validate and load a state; `long_context` is accepted for the protocol BFCL's classes share, and these
        states have no long variant."""
        checked_fields("state", state, {"accounts": dict, "transactions": list, "next_transaction": int})
        for account_id, account in state["accounts"].items():
            checked_fields(f"accounts.{account_id}", account, {"owner": str, "type": str, "balance": int})
            if account["type"] not in _ACCOUNT_TYPES:
                raise ValueError(f"accounts.{account_id}.type: {account['type']!r} is not one of {_ACCOUNT_TYPES}")
        fields = {"id": str, "from_account": str, "to_account": str, "amount": int, "memo": str}
        for index, transaction in enumerate(state["transactions"]):
            checked_fields(f"transactions[{index}]", transaction, fields)
        self.accounts = copy.deepcopy(state["accounts"])
        self.transactions = copy.deepcopy(state["transactions"])
        self.next_transaction = state["next_transaction"]

    def _account(self, account_id: str) -> dict:
        if account_id not in self.accounts:
            raise ValueError(f"unknown account {account_id!r}")
        return self.accounts[account_id]

    def find_account(self, owner: str) -> dict:
        """The accounts of the owners whose name has every word of `owner` (any case): users name people, and
        transfers need account ids."""
        words = owner.lower().split()
        if not words:
            raise ValueError("owner is empty: give a name")
        found = [
            {"account_id": account_id, "owner": account["owner"], "type": account["type"]}
            for account_id, account in sorted(self.accounts.items())
            if all(word in account["owner"].lower().split() for word in words)
        ]
        return {"accounts": found}

    def get_balance(self, account_id: str) -> dict:
        """The balance of one account, in whole dollars."""
        return {"account_id": account_id, "balance": self._account(account_id)["balance"]}

    def transfer(self, from_account: str, to_account: str, amount: int, memo: str = "") -> dict:
        """Move `amount` dollars between two accounts. Refused, with nothing changed, when an account is unknown,
        the amount is not positive or the balance does not cover it: the user must hear why."""
        source, target = self._account(from_account), self._account(to_account)
        if from_account == to_account:
            raise ValueError("from_account and to_account are the same account")
        if amount <= 0:
            raise ValueError(f"amount must be positive, got {amount}")
        if source["balance"] < amount:
            raise ValueError(f"insufficient funds: {from_account} has {source['balance']}, the transfer needs {amount}")
        source["balance"] -= amount
        target["balance"] += amount
        transaction_id = f"T-{self.next_transaction}"
        self.next_transaction += 1
        self.transactions.append(
            {
                "id": transaction_id,
                "from_account": from_account,
                "to_account": to_account,
                "amount": amount,
                "memo": memo,
            }
        )
        return {"transaction_id": transaction_id, "from_balance": source["balance"]}

    def list_transactions(self, account_id: str) -> dict:
        """The last five transfers into or out of an account, newest first."""
        self._account(account_id)
        touching = [t for t in self.transactions if account_id in (t["from_account"], t["to_account"])]
        return {"account_id": account_id, "transactions": touching[::-1][:5]}
