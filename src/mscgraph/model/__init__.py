"""The leaf layer: errors, namespaces and the prefix map, packaged resources, safe file writing, progress."""
