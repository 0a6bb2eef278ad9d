"""Business rules of the accounting plugin. Services own the transaction."""
