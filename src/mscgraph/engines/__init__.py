"""What answers SPARQL: one :class:`~mscgraph.engines.base.Engine` contract, embedded and remote."""
