"""Pure functions from tracker read-models to Adaptive Card 1.5 dicts."""
