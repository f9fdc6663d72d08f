"""Everything the bot sends to Teams: the delivery worker, sender, pacing, liveness, rendering."""
