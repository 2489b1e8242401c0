"""Pay schemes: draft, validate, version and send for approval."""
