"""Ready-made steps for other pipeline frameworks (optional extras: ``cleaner[datatrove]``)."""
