"""Business rules of the rates plugin. Services own the transaction."""
