"""User text -> IRI: name keys, the on-disk name index, the resolver with suggestions."""
