"""Domain functions: explicit arguments in, models or DomainError out. They flush; the request commits."""
