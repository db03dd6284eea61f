"""Services: the operations of the application. Each owns its transaction (commit or rollback)."""
