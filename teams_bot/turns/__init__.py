"""One activity in: our own Activity, commands, card actions, confirmations, the answer."""
