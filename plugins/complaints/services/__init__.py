"""Business rules of the complaints plugin. Services own the transaction."""
