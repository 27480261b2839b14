"""The dataset in the formats other tools read.

- `formats`: the table of export formats and `export()`, which the command line calls.
- `network`: the actors-and-events graph (networkx), as GraphML and GEXF.
- `timelinejs`: Knight Lab's TimelineJS 3 JSON.
- `spreadsheet`: a flat, formula-safe CSV sheet of events.
"""
