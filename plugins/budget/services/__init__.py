"""Business rules of the budget plugin. Services own the transaction."""
