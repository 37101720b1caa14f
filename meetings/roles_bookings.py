GRANTS: dict[str, list[str]] = {}
