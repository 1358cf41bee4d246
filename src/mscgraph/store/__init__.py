"""The embedded store: sources, on-disk index generations, and pushing the graph to a remote store."""
